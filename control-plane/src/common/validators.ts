import { isIP } from 'node:net';
import { registerDecorator, ValidateIf, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * A PATCH field that may be left out but not sent as null: `null` is not "unchanged", and
 * IsOptional would let it through unchecked.
 */
export function OptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: unknown, value: unknown) => value !== undefined);
}

/** A CIDR block (`203.0.113.0/24`, `2001:db8::/32`) or a bare address, which means one host. */
export function isCidr(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

export function IsCidr(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCidr',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'each value must be a CIDR block such as 203.0.113.0/24 or 2001:db8::/32', ...options },
      validator: { validate: (value: unknown) => isCidr(value) },
    });
}

/**
 * A rule that needs a sibling field: `check(value, object)` returns an error text or null.
 * Used for limits like "columns x rows <= 100" that no single-field decorator expresses.
 */
export function Satisfies(check: (value: any, object: any) => string | null, options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'satisfies',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => check(value, args.object) === null,
        defaultMessage: (args?: ValidationArguments) => (args ? (check(args.value, args.object) ?? '') : 'invalid'),
      },
    });
}
