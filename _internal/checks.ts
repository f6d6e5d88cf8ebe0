/**
 * Checking numeric and boolean arguments the same way everywhere. A value of the wrong type is
 * a `TypeError` that says what it is — `got the string "2"`, since `"2"` printed bare reads as
 * the number 2 — and the validators then check the range (a `RangeError`).
 *
 * @module
 */

/** The longest string shown whole in an error message. */
const MAX_SHOWN = 40;

/**
 * A value as an error message shows it: `2`, `-0`, `NaN`, `the string "2"`, `the bigint 2n`,
 * `the boolean true`, `null`, `undefined`, `an array`, `a function`, `an object`.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "string": {
      const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
      return `the string ${JSON.stringify(shown)}`;
    }
    case "bigint":
      return `the bigint ${value}n`;
    case "boolean":
      return `the boolean ${value}`;
    case "undefined":
      return "undefined";
    case "symbol":
      return "a symbol";
    case "function":
      return "a function";
    default:
      return value === null ? "null" : Array.isArray(value) ? "an array" : "an object";
  }
}

/**
 * Throws a `TypeError` unless `value` is a number: `${subject} must be ${expected}, got the
 * string "2" (write 2, without quotes)`, then `: ${fix}` when given.
 *
 * @param value What was passed.
 * @param subject Who is checked, e.g. `"processes"` or `new Queue(): "maxsize"`.
 * @param expected What it must be, e.g. `"a whole number, at least 1"`.
 * @param fix How to pass it right, e.g. `"pass e.g. new Pool(4)"`.
 */
export function assertNumber(
  value: unknown,
  subject: string,
  expected: string,
  fix?: string,
): asserts value is number {
  if (typeof value === "number") return;
  throw new TypeError(
    `${subject} must be ${expected}, got ${describeNonNumber(value)}${fix ? `: ${fix}` : ""}`,
  );
}

/**
 * {@linkcode describeValue} for a value given where a number belongs: a number in quotes gets
 * the fix, `the string "2" (write 2, without quotes)`.
 */
export function describeNonNumber(value: unknown): string {
  const got = describeValue(value);
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) {
    return `${got} (write ${Number(value)}, without quotes)`;
  }
  return got;
}

/**
 * Throws a `TypeError` unless `value` is `true` or `false` (`1`, `"false"` and `null` are not:
 * `"false"` would read as true): `${subject} must be true or false, got the number 1`, then
 * `: ${fix}` when given.
 *
 * @param value What was passed.
 * @param subject Who is checked, e.g. `Queue.get(): "block"`.
 * @param fix How to pass it right, e.g. `"pass { block: false } not to wait"`.
 */
export function assertBoolean(
  value: unknown,
  subject: string,
  fix?: string,
): asserts value is boolean {
  if (typeof value === "boolean") return;
  const got = typeof value === "number"
    ? `the number ${describeValue(value)}`
    : describeValue(value);
  throw new TypeError(`${subject} must be true or false, got ${got}${fix ? `: ${fix}` : ""}`);
}
