/**
 * `sasl.kerberos.principal.to.local.rules`, as Kafka's KerberosShortNamer applies them to the
 * Kerberos principal of a GSSAPI client: `DEFAULT` (the first component of a principal of the
 * default realm) and `RULE:[n:format](match)s/pattern/replacement/g/L` (or `/U`), tried in order;
 * the first that applies gives the short name, which becomes `User:<short name>`. A principal no
 * rule applies to has no Kafka principal.
 *
 * @module
 */

/** One parsed rule. */
interface KerberosRule {
  readonly text: string;
  readonly isDefault: boolean;
  readonly components: number;
  readonly format: string;
  readonly match: RegExp | null;
  readonly from: RegExp | null;
  readonly to: string;
  readonly repeat: boolean;
  readonly caseChange: "" | "L" | "U";
}

/** Kafka's grammar of one rule. */
const RULE =
  /^(?:(DEFAULT)|(RULE:\[(\d*):([^\]]*)\](?:\(([^)]*)\))?(?:s\/([^/]*)\/([^/]*)\/(g)?)?\/?(L|U)?))$/;

/** A name that still has a "/" or "@" after a rule is not a short name. */
const NON_SIMPLE = /[/@]/;

/** Kafka's shortNamer: maps Kerberos principals to short names by rules. */
export class KerberosShortNamer {
  readonly #rules: KerberosRule[];
  readonly #defaultRealm: string;

  /**
   * Parses `rules` (a list, or Kafka's comma-separated form) for principals of `defaultRealm`;
   * throws RangeError with Kafka's message for a rule it cannot read.
   *
   * @example
   * ```ts
   * import { KerberosShortNamer } from "./kerberos_rules.ts";
   * const namer = new KerberosShortNamer("BROOK.TEST", [
   *   "RULE:[1:$1@$0](.*@OTHER.TEST)s/@OTHER.TEST//",
   *   "DEFAULT",
   * ]);
   * console.log(namer.shortName("carol@OTHER.TEST")); // "carol"
   * console.log(namer.shortName("kafka/localhost@BROOK.TEST")); // "kafka"
   * ```
   */
  constructor(defaultRealm: string, rules: string | readonly string[] = ["DEFAULT"]) {
    this.#defaultRealm = defaultRealm;
    const list = typeof rules === "string" ? rules.trim().split(/\s*,\s*/) : rules;
    this.#rules = list.filter((r) => r !== "").map(parseRule);
  }

  /**
   * The short name of `principal` ("primary/instance@REALM"); throws RangeError when no rule
   * applies, or a rule leaves a name with "/" or "@".
   *
   * @example
   * ```ts
   * import { KerberosShortNamer } from "./kerberos_rules.ts";
   * console.log(new KerberosShortNamer("BROOK.TEST").shortName("alice@BROOK.TEST")); // "alice"
   * ```
   */
  shortName(principal: string): string {
    const m = /^([^/@]*)(?:\/([^/@]*))?(?:@([^/@]*))?$/.exec(principal);
    if (!m) throw new RangeError(`Malformed Kerberos name: ${principal}`);
    const [, service, host, realm] = m;
    if (host === undefined && realm === undefined) return service;
    const params = host === undefined ? [realm ?? "", service] : [realm ?? "", service, host];
    for (const rule of this.#rules) {
      const result = apply(rule, params, this.#defaultRealm);
      if (result !== null) return result;
    }
    throw new RangeError(
      `No rules apply to ${principal}, rules [${this.#rules.map((r) => r.text).join(", ")}]`,
    );
  }
}

function parseRule(text: string): KerberosRule {
  const m = RULE.exec(text);
  if (!m) throw new RangeError(`Invalid rule: ${text}`);
  if (m[1]) {
    return {
      text,
      isDefault: true,
      components: 0,
      format: "",
      match: null,
      from: null,
      to: "",
      repeat: false,
      caseChange: "",
    };
  }
  return {
    text,
    isDefault: false,
    components: Number(m[3]),
    format: m[4],
    // Java's matches() needs the whole string to match.
    match: m[5] === undefined ? null : new RegExp(`^(?:${m[5]})$`),
    from: m[6] === undefined ? null : new RegExp(m[6], m[8] ? "g" : ""),
    to: m[7] ?? "",
    repeat: m[8] === "g",
    caseChange: (m[9] ?? "") as "" | "L" | "U",
  };
}

/** Replaces each $n of `format` with params[n] ($0 the realm, $1 the first component...). */
function replaceParameters(format: string, params: string[]): string {
  return format.replace(/\$(\d*)/g, (_, n: string) => {
    const i = Number(n);
    if (n === "" || i >= params.length) {
      throw new RangeError(
        `index ${n} from ${format} is outside of the valid range 0 to ${params.length - 1}`,
      );
    }
    return params[i];
  });
}

function apply(rule: KerberosRule, params: string[], defaultRealm: string): string | null {
  let result: string | null = null;
  if (rule.isDefault) {
    if (params[0] === defaultRealm) result = params[1];
  } else if (params.length - 1 === rule.components) {
    const base = replaceParameters(rule.format, params);
    if (rule.match === null || rule.match.test(base)) {
      result = rule.from === null ? base : base.replace(rule.from, rule.to);
    }
  }
  if (result !== null && NON_SIMPLE.test(result)) {
    throw new RangeError(`Non-simple name ${result} after auth_to_local rule ${rule.text}`);
  }
  if (result !== null && rule.caseChange === "L") result = result.toLowerCase();
  if (result !== null && rule.caseChange === "U") result = result.toUpperCase();
  return result;
}
