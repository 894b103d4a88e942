/**
 * The connection and security options every Brook tool takes, as Kafka's tools take them:
 * `--bootstrap-server`, a properties file (`--command-config`, or the tool's own name such as
 * `--producer.config`) and `key=value` overrides (`--producer-property`...), with Kafka's client
 * settings: `security.protocol`, `sasl.mechanism`, `sasl.jaas.config` (PLAIN, SCRAM, OAUTHBEARER),
 * `ssl.truststore.type=PEM` with `ssl.truststore.location` or `.certificates`, and PEM key stores
 * (`ssl.keystore.type=PEM` with `ssl.keystore.location`, or `ssl.keystore.key` and
 * `ssl.keystore.certificate.chain`) for mutual TLS.
 *
 * @module
 */

import type { ClientOptions, SaslOptions } from "../client/mod.ts";
import { unsecuredJwt } from "../codec/mod.ts";
import { type FlagOptions, integer, properties, readPropertiesFile, UsageError } from "./common.ts";

/** The flags of the connection options (names as Kafka's tools spell them). */
export const CONNECTION_FLAGS = {
  "bootstrap-server": { type: "string" },
  "command-config": { type: "string" },
} as const satisfies FlagOptions;

/** Help text of the connection flags. */
export const CONNECTION_HELP =
  `  --bootstrap-server HOST:PORT[,...]  the brokers to connect to (required)
  --command-config FILE          a Kafka client properties file: security.protocol, sasl.mechanism,
                                 sasl.jaas.config (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER),
                                 ssl.truststore.type=PEM, ssl.truststore.location, ssl.keystore.*
  --version                      print Brook's version`;

/** How a tool found its client settings. */
export interface ClientSettings {
  /** The merged properties: the file's, then `key=value` overrides. */
  props: Map<string, string>;
  /** The client options they give. */
  client: ClientOptions;
}

/**
 * Reads the connection settings: `--bootstrap-server`, the properties files named (the last one
 * wins per key), then the `key=value` overrides.
 *
 * @example
 * ```ts
 * import { clientSettings } from "./connection.ts";
 * const { client } = await clientSettings({ "bootstrap-server": "127.0.0.1:9092" });
 * console.log(client.bootstrapServers);
 * ```
 */
export async function clientSettings(
  values: { "bootstrap-server"?: string; "command-config"?: string },
  options: {
    /** Further properties files, by flag name (e.g. `producer.config`). */
    files?: Record<string, string | undefined>;
    /** `key=value` overrides, by flag name (e.g. `producer-property`). */
    overrides?: Record<string, string[] | undefined>;
  } = {},
): Promise<ClientSettings> {
  const props = new Map<string, string>();
  const files: [string, string | undefined][] = [
    ["command-config", values["command-config"]],
    ...Object.entries(options.files ?? {}),
  ];
  for (const [flag, path] of files) {
    if (path === undefined) continue;
    for (const [k, v] of await readPropertiesFile(path, flag)) props.set(k, v);
  }
  for (const [flag, list] of Object.entries(options.overrides ?? {})) properties(list, flag, props);
  const bootstrap = values["bootstrap-server"] ?? props.get("bootstrap.servers");
  if (!bootstrap) throw new UsageError("--bootstrap-server is required");
  return { props, client: await clientOptions(bootstrap, props) };
}

/**
 * A whole-number property within [min, max], or undefined when absent.
 *
 * @example
 * ```ts
 * import { intProperty } from "./connection.ts";
 * console.log(intProperty(new Map([["linger.ms", "5"]]), "linger.ms", 0)); // 5
 * ```
 */
export function intProperty(
  props: Map<string, string>,
  key: string,
  min: number,
  max?: number,
): number | undefined {
  return integer(key, props.get(key), min, max);
}

async function clientOptions(
  bootstrap: string,
  props: Map<string, string>,
): Promise<ClientOptions> {
  const client: ClientOptions = { bootstrapServers: bootstrap };
  const clientId = props.get("client.id");
  if (clientId !== undefined) client.clientId = clientId;
  client.requestTimeoutMs = intProperty(props, "request.timeout.ms", 1);
  client.connectTimeoutMs = intProperty(props, "socket.connection.setup.timeout.ms", 1);
  client.retryBackoffMs = intProperty(props, "retry.backoff.ms", 0);
  client.retryBackoffMaxMs = intProperty(props, "retry.backoff.max.ms", 0);
  client.reconnectBackoffMs = intProperty(props, "reconnect.backoff.ms", 0);
  client.reconnectBackoffMaxMs = intProperty(props, "reconnect.backoff.max.ms", 0);
  client.metadataMaxAgeMs = intProperty(props, "metadata.max.age.ms", 0);
  client.clientRack = props.get("client.rack");
  const protocol = (props.get("security.protocol") ?? "PLAINTEXT").toUpperCase();
  if (!["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"].includes(protocol)) {
    throw new UsageError(
      `security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, got '${protocol}'`,
    );
  }
  if (protocol.endsWith("SSL")) client.tls = await tlsOptions(props);
  if (protocol.startsWith("SASL")) client.sasl = await saslOptions(props);
  for (const key of Object.keys(client) as (keyof ClientOptions)[]) {
    if (client[key] === undefined) delete client[key];
  }
  return client;
}

async function readSetting(props: Map<string, string>, key: string): Promise<string> {
  const path = props.get(key)!;
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    throw new UsageError(`${key} ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** PEM text as Kafka writes it inline: newlines may have become spaces, or escaped "\n". */
function pem(text: string): string {
  return text.replace(/\\n/g, "\n").replace(
    /(-----BEGIN [A-Z ]+-----)([\s\S]*?)(-----END [A-Z ]+-----)/g,
    (_, begin: string, body: string, end: string) =>
      `${begin}\n${body.replace(/\s+/g, "\n").trim()}\n${end}\n`,
  );
}

async function tlsOptions(props: Map<string, string>): Promise<NonNullable<ClientOptions["tls"]>> {
  const tls: NonNullable<ClientOptions["tls"]> = {};
  const trustType = (props.get("ssl.truststore.type") ?? "PEM").toUpperCase();
  if (props.has("ssl.truststore.location") || props.has("ssl.truststore.certificates")) {
    if (trustType !== "PEM") {
      throw new UsageError(
        `ssl.truststore.type ${trustType} is not supported: use PEM (convert a JKS or PKCS12 store with keytool and openssl)`,
      );
    }
    const text = props.has("ssl.truststore.certificates")
      ? props.get("ssl.truststore.certificates")!
      : await readSetting(props, "ssl.truststore.location");
    tls.caCerts =
      pem(text).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ??
        [];
    if (tls.caCerts.length === 0) throw new UsageError("the trust store holds no PEM certificate");
  }
  const keyType = (props.get("ssl.keystore.type") ?? "PEM").toUpperCase();
  const hasKeystore = props.has("ssl.keystore.location") || props.has("ssl.keystore.key");
  if (hasKeystore) {
    if (keyType !== "PEM") {
      throw new UsageError(`ssl.keystore.type ${keyType} is not supported: use PEM`);
    }
    if (props.has("ssl.key.password")) {
      throw new UsageError("encrypted private keys (ssl.key.password) are not supported");
    }
    const text = props.has("ssl.keystore.key")
      ? `${props.get("ssl.keystore.key")}\n${props.get("ssl.keystore.certificate.chain") ?? ""}`
      : await readSetting(props, "ssl.keystore.location");
    const all = pem(text);
    tls.key = all.match(
      /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/,
    )
      ?.[0];
    tls.cert = (all.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [])
      .join("\n");
    if (!tls.key || !tls.cert) {
      throw new UsageError("the PEM key store needs a private key and its certificate chain");
    }
  }
  const algorithm = props.get("ssl.endpoint.identification.algorithm");
  if (algorithm !== undefined && algorithm !== "" && algorithm.toLowerCase() !== "https") {
    throw new UsageError(`ssl.endpoint.identification.algorithm must be https or empty`);
  }
  return tls;
}

/** The options of a JAAS login module line: `Module required key="value" key=value;`. */
export function jaasOptions(config: string): { module: string; options: Map<string, string> } {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b([\s\S]*?);?\s*$/.exec(
    config,
  );
  if (!m) throw new UsageError("sasl.jaas.config must read 'LoginModule required key=\"value\";'");
  const options = new Map<string, string>();
  const re = /([\w.]+)\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^\s;]+))/g;
  for (const o of m[3].matchAll(re)) {
    options.set(o[1], o[2] !== undefined ? o[2].replace(/\\(.)/g, "$1") : o[3]);
  }
  return { module: m[1], options };
}

async function saslOptions(props: Map<string, string>): Promise<SaslOptions> {
  const mechanism = (props.get("sasl.mechanism") ?? "GSSAPI").toUpperCase();
  const jaas = props.get("sasl.jaas.config");
  if (mechanism === "GSSAPI") {
    throw new UsageError(
      "sasl.mechanism GSSAPI (Kafka's default) is not supported: set PLAIN, " +
        "SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER",
    );
  }
  if (mechanism === "OAUTHBEARER") return await oauthBearer(props, jaas);
  if (!["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"].includes(mechanism)) {
    throw new UsageError(`sasl.mechanism ${mechanism} is not supported`);
  }
  if (jaas === undefined) {
    throw new UsageError(`sasl.mechanism ${mechanism} needs sasl.jaas.config`);
  }
  const { options } = jaasOptions(jaas);
  const username = options.get("username");
  const password = options.get("password");
  if (username === undefined || password === undefined) {
    throw new UsageError("sasl.jaas.config needs username and password");
  }
  if (mechanism === "PLAIN") return { mechanism, username, password };
  return {
    mechanism: mechanism as "SCRAM-SHA-256" | "SCRAM-SHA-512",
    username,
    password,
    tokenAuth: options.get("tokenauth") === "true",
  };
}

/**
 * OAUTHBEARER as Kafka's clients configure it: a token read from a file
 * (`sasl.oauthbearer.token.endpoint.url=file:///path`, read again at each authentication), a
 * client-credentials token endpoint (`https://...` with clientId and clientSecret in the JAAS
 * options), or the unsecured development login (`unsecuredLoginStringClaim_sub="name"`).
 */
async function oauthBearer(props: Map<string, string>, jaas: string | undefined) {
  const options = jaas === undefined ? new Map<string, string>() : jaasOptions(jaas).options;
  const extensions: Record<string, string> = {};
  for (const [k, v] of options) {
    if (k.startsWith("extension_")) extensions[k.slice("extension_".length)] = v;
  }
  const withExtensions = (value: string) =>
    Object.keys(extensions).length > 0 ? { value, extensions } : { value };
  const endpoint = props.get("sasl.oauthbearer.token.endpoint.url");
  if (endpoint?.startsWith("file:")) {
    const path = new URL(endpoint);
    await Deno.stat(path).catch((e) => {
      throw new UsageError(`sasl.oauthbearer.token.endpoint.url ${endpoint}: ${e.message}`);
    });
    return {
      mechanism: "OAUTHBEARER" as const,
      token: async () => withExtensions((await Deno.readTextFile(path)).trim()),
    };
  }
  if (endpoint !== undefined) {
    const clientId = options.get("clientId") ??
      props.get("sasl.oauthbearer.client.credentials.client.id");
    const secret = options.get("clientSecret") ??
      props.get("sasl.oauthbearer.client.credentials.client.secret");
    if (!clientId || !secret) {
      throw new UsageError("a token endpoint needs clientId and clientSecret in sasl.jaas.config");
    }
    const scope = options.get("scope") ?? props.get("sasl.oauthbearer.scope");
    return {
      mechanism: "OAUTHBEARER" as const,
      token: async () => {
        const body = new URLSearchParams({ grant_type: "client_credentials" });
        if (scope) body.set("scope", scope);
        const res = await fetch(endpoint, {
          method: "POST",
          headers: {
            authorization: `Basic ${btoa(`${clientId}:${secret}`)}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body,
        });
        if (!res.ok) throw new Error(`token endpoint ${endpoint} answered ${res.status}`);
        const json = await res.json();
        if (typeof json.access_token !== "string") {
          throw new Error(`token endpoint ${endpoint} gave no access_token`);
        }
        return withExtensions(json.access_token);
      },
    };
  }
  const sub = options.get("unsecuredLoginStringClaim_sub");
  if (sub === undefined) {
    throw new UsageError(
      "OAUTHBEARER needs sasl.oauthbearer.token.endpoint.url (file:// or https://) or " +
        "unsecuredLoginStringClaim_sub in sasl.jaas.config",
    );
  }
  const lifetimeSeconds = Number(options.get("unsecuredLoginLifetimeSeconds") ?? 3600);
  return {
    mechanism: "OAUTHBEARER" as const,
    token: () => withExtensions(unsecuredJwt({ sub, lifetimeMs: lifetimeSeconds * 1000 })),
  };
}
