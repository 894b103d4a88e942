// Kafka's own OAUTHBEARER code beside Brook's (BROOK_INTEROP=1, Java and kafka-clients 4.1.1): Kafka's
// broker-side JWT validator judges the same signed tokens as Brook's validator, with the same
// verdicts; Kafka's Java Admin logs in to Brook with a signed JWT, and is refused an unsigned one.
import { clusterOf } from "../../broker/broker_internals.ts";
import { assertEquals } from "../assert.ts";
import { Broker } from "../../broker/mod.ts";
import { OAuthBearerJwtValidator } from "../../broker/security/jwt_validator.ts";
import { installJavaLibs, javaLibsDir } from "./group_peer.ts";
import {
  CASE_AUDIENCE,
  CASE_ISSUER,
  claims,
  signingKey,
  signJwt,
  validationCases,
} from "../security/jwt.ts";

const enabled = Deno.env.get("BROOK_INTEROP") === "1";
const JAVA = new URL("./java/OAuthBearerCheck.java", import.meta.url).pathname;

async function java(args: string[], stdin = ""): Promise<string[]> {
  await installJavaLibs();
  const child = new Deno.Command("java", {
    args: ["-Xmx256m", "-XX:+UseSerialGC", "-cp", `${javaLibsDir()}/*`, JAVA, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  return new TextDecoder().decode(out.stdout).trim().split("\n");
}

Deno.test({
  name: "oauthbearer java: Kafka's JWT validator and Brook's judge the same tokens alike",
  ignore: !enabled,
  async fn() {
    const { keys, cases } = await validationCases();
    const dir = await Deno.makeTempDir({ prefix: "brook-jwks-" });
    try {
      const file = `${dir}/jwks.json`;
      await Deno.writeTextFile(file, JSON.stringify({ keys }));
      const lines = Object.entries(cases).map(([name, c]) => `${name}\t${c.token}`);
      const kafka = Object.fromEntries(
        (await java(["validate", file, CASE_ISSUER, CASE_AUDIENCE], lines.join("\n") + "\n"))
          .map((l) => l.split("\t")),
      );
      const validator = await OAuthBearerJwtValidator.create({
        jwks: { file },
        issuer: CASE_ISSUER,
        audience: CASE_AUDIENCE,
      });
      const brook: Record<string, string> = {};
      for (const [name, { token }] of Object.entries(cases)) {
        const r = await validator.validate(token);
        brook[name] = "principal" in r ? r.principal : r.errorStatus;
      }
      assertEquals(brook, kafka);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "oauthbearer java: Kafka's Admin logs in to Brook with a signed JWT, not an unsigned one",
  ignore: !enabled,
  async fn() {
    const key = await signingKey("RS256", "java-1");
    const dir = await Deno.makeTempDir({ prefix: "brook-jwks-" });
    try {
      await Deno.writeTextFile(`${dir}/jwks.json`, JSON.stringify({ keys: [key.jwk] }));
      await using broker = await Broker.start({
        listeners: ["SASL_PLAINTEXT://127.0.0.1:0"],
        sasl: {
          mechanisms: ["OAUTHBEARER"],
          oauthBearer: { jwks: { file: `${dir}/jwks.json` }, issuer: CASE_ISSUER },
          failedAuthenticationDelayMs: 0,
        },
      });
      const token = await signJwt(key, claims({ sub: "svc-java", iss: CASE_ISSUER }));
      await Deno.writeTextFile(`${dir}/token.jwt`, token);
      const signed = await java(["client", broker.bootstrapServers, `${dir}/token.jwt`, "java"]);
      assertEquals(signed.at(-1), "created");
      assertEquals(clusterOf(broker).topics.has("java"), true);
      const unsigned = await java(["client", broker.bootstrapServers, "unsecured:admin", "no"]);
      assertEquals(
        unsigned.at(-1),
        'SaslAuthenticationException: {"status":"invalid_token"}',
      );
      assertEquals(clusterOf(broker).topics.has("no"), false);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
