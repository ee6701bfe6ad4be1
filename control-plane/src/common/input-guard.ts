import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { ApiError, FieldProblem } from './api-error.js';

/**
 * Deepest nesting a request may have. Our deepest body (a stream's ingest.fec) is 3 levels; 32
 * leaves room and stops bodies that overflow class-transformer's recursion long before it.
 */
export const MAX_INPUT_DEPTH = 32;
/** Keys that would reach an object's prototype if anything ever merged them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** NUL (PostgreSQL text cannot hold it) or a UTF-16 surrogate without its pair (not Unicode text). */
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | null {
  const bad = BAD_TEXT.exec(text);
  if (!bad) return null;
  return bad[0] === '\u0000' ? 'must not contain NUL characters' : 'must be valid Unicode text (it has a lone surrogate)';
}

/**
 * What no DTO can check because it breaks the checking itself: nesting past MAX_INPUT_DEPTH,
 * NUL and lone surrogates in any string or key, prototype keys. Walks without recursion, so a
 * hostile depth cannot overflow the walk either. Returns the problems with their field paths.
 */
export function inputProblems(input: unknown, root = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: input, path: root, depth: 0 }];
  while (stack.length > 0 && problems.length < 20) {
    const { value, path, depth } = stack.pop()!;
    const field = path || 'body';
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) problems.push({ field, message: problem });
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      problems.push({ field, message: `is nested deeper than ${MAX_INPUT_DEPTH} levels` });
      continue;
    }
    for (const key of Object.keys(value)) {
      const child = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) problems.push({ field: child, message: 'is not an allowed field name' });
      else if (textProblem(key)) problems.push({ field: JSON.stringify(key), message: `field name ${textProblem(key)}` });
      else stack.push({ value: (value as Record<string, unknown>)[key], path: child, depth: depth + 1 });
    }
  }
  return problems;
}

/** Global pipe, before validation: bodies, queries and path parameters all pass through it. */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const problems = inputProblems(value, metadata.type === 'body' ? '' : (metadata.data ?? ''));
    if (problems.length > 0) throw ApiError.invalid(problems);
    return value;
  }
}
