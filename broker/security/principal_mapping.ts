/**
 * `ssl.principal.mapping.rules`, as Kafka's default principal builder applies them to the subject of
 * a client certificate: a comma-separated list of `RULE:pattern/replacement/[LU]` (the whole
 * subject must match the pattern; the replacement may name its groups as `$1`; L or U lowers or
 * raises the result's case) and `DEFAULT` (the subject as it is). The first rule that applies names
 * the principal; when none does, the client is refused.
 *
 * @module
 */

/** One parsed rule. */
export interface MappingRule {
  /** null for DEFAULT. */
  readonly pattern: RegExp | null;
  readonly replacement: string;
  readonly caseChange: "" | "L" | "U";
}

/** Kafka's rule grammar (SslPrincipalMapper), for one rule and for a list of them. */
const RULE = String.raw`(DEFAULT)|RULE:((\\.|[^\\/])*)/((\\.|[^\\/])*)/([LU]?).*?|(.*?)`;

/** Parses the rules; throws a RangeError with Kafka's message for a malformed one. */
export function parseMappingRules(rules: string): MappingRule[] {
  const out: MappingRule[] = [];
  const splitter = new RegExp(String.raw`\s*(${RULE})\s*(,\s*|$)`, "y");
  let at = 0;
  while (at < rules.length) {
    splitter.lastIndex = at;
    const m = splitter.exec(rules);
    if (!m || m[0].length === 0) break;
    at = splitter.lastIndex;
    out.push(parseRule(m[1]));
  }
  return out;
}

function parseRule(rule: string): MappingRule {
  const m = new RegExp(`^(?:${RULE})`).exec(rule);
  if (!m) throw new RangeError(`Invalid rule: ${rule}`);
  if (m[0].length !== rule.length) {
    throw new RangeError(
      `Invalid rule: \`${rule}\`, unmatched substring: \`${rule.slice(m[0].length)}\``,
    );
  }
  if (m[1] !== undefined) return { pattern: null, replacement: "", caseChange: "" };
  if (m[2] === undefined) throw new RangeError(`Invalid rule: ${rule}`);
  return {
    pattern: new RegExp(`^(?:${m[2]})$`),
    replacement: m[4],
    caseChange: (m[6] ?? "") as "" | "L" | "U",
  };
}

/** The principal name the first applicable rule gives a certificate subject, or undefined. */
export function mapPrincipal(subject: string, rules: readonly MappingRule[]): string | undefined {
  for (const rule of rules) {
    if (rule.pattern === null) return subject;
    if (!rule.pattern.test(subject)) continue;
    const name = subject.replace(rule.pattern, rule.replacement);
    return rule.caseChange === "L"
      ? name.toLowerCase()
      : rule.caseChange === "U"
      ? name.toUpperCase()
      : name;
  }
  return undefined;
}
