// Typed reads and writes of the receiver's parallel arrays (base pointer + index).
@inline export function i32at(base: usize, i: i32): i32 { return load<i32>(base + (<usize>i << 2)); }
@inline export function setI32(base: usize, i: i32, v: i32): void { store<i32>(base + (<usize>i << 2), v); }
@inline export function i64at(base: usize, i: i32): i64 { return load<i64>(base + (<usize>i << 3)); }
@inline export function setI64(base: usize, i: i32, v: i64): void { store<i64>(base + (<usize>i << 3), v); }
@inline export function f64at(base: usize, i: i32): f64 { return load<f64>(base + (<usize>i << 3)); }
@inline export function setF64(base: usize, i: i32, v: f64): void { store<f64>(base + (<usize>i << 3), v); }
