/**
 * `deno task broker`: runs Brook's embedded Kafka broker from the command line.
 *
 * Prints exactly one line on stdout, `listening on HOST:PORT[,HOST:PORT...]`, once every node accepts
 * connections (then `control on HOST:PORT` with --control-port); everything else goes to stderr. Stops cleanly on SIGINT or SIGTERM (exit 0). Bad
 * arguments print one line and exit 2.
 *
 * @example
 * ```sh
 * deno task broker --brokers 3 --partitions 6 --port 9092 --metrics-port 9404 --faults faults.json
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Broker, type BrokerOptions, SASL_MECHANISMS, type SaslMechanism } from "../broker/mod.ts";
import { type FaultPlan, parseFaultPlan } from "../broker/faults/faults_plan.ts";
import type { OAuthBearerJwtOptions } from "../broker/security/jwt_validator.ts";
import { unsecuredOAuthBearer } from "../broker/security/options.ts";
import { type ControlServer, serveControl } from "../broker/control/server.ts";

const HELP = `Usage: deno task broker [options]

Runs an in-memory Kafka cluster (Brook's embedded broker) until SIGINT or SIGTERM.

Options:
  --host HOST              address to listen on and advertise (default 127.0.0.1)
  --port PORT              first node's port; node i listens on PORT+i-1; 0 picks free ports
                           (default 9092)
  --brokers N              number of nodes (default 1)
  --partitions N           partitions of auto-created topics (num.partitions, default 1;
                           at most 10000, as Kafka's controller creates per request)
  --replication-factor N   replication factor of new topics (default min(3, brokers))
  --topic NAME[:P[:RF]]    create a topic at start with P partitions and RF replicas
                           (repeatable)
  --metrics-port PORT      serve Prometheus metrics at http://127.0.0.1:PORT/metrics
                           (off by default; 0 picks a free port)
  --metrics-host HOST      address of the metrics port (default 127.0.0.1: loopback only)
  --control-port PORT      serve the control API (HTTP with JSON: faults, topics, records, waits,
                           reset; see /openapi.json) on PORT (off by default; 0 picks a free
                           port) and print "control on HOST:PORT" after "listening on"
  --control-host HOST      address of the control API (default 127.0.0.1: loopback only)
  --console-port PORT      serve the web console at http://HOST:PORT/ (with the control API
                           under its own paths on the same port; off by default; 0 picks a
                           free port) and print "console on http://HOST:PORT/"
  --console-host HOST      address of the web console (default 127.0.0.1: loopback only)
  --slow-request-ms MS     log requests slower than MS milliseconds to stderr
  --faults FILE            run the fault plan in FILE (JSON): {"faults": [steps]}
  --config NAME=VALUE      a static broker config, as in Kafka's server.properties (repeatable),
                           e.g. --config log.retention.ms=60000
  --feature NAME=LEVEL     a feature level to start with (repeatable), as kafka-storage format's
                           --feature, e.g. --feature share.version=1 for share groups
  --no-auto-create         refuse to create topics on Metadata and Produce requests
  --client-telemetry       take the metrics clients push (KIP-714), as a Kafka broker with a
                           telemetry receiver; shown on the metrics port
  --max-memory SIZE        a memory budget for stored records, in bytes or with a k, m or g
                           suffix (e.g. 512m): once the logs hold it, Produce is answered
                           KAFKA_STORAGE_ERROR (clients retry) until retention makes room
  --listener NAME://HOST:PORT
                           a listener (repeatable): PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL;
                           replaces --host/--port; "listening on" names the first
  --advertised-listener NAME://HOST:PORT
                           where clients are told to connect on listener NAME (repeatable;
                           advertised.listeners), e.g. a proxy's address; node i advertises
                           PORT+i-1
  --tls-cert FILE          PEM certificate chain of SSL and SASL_SSL listeners
  --tls-key FILE           PEM private key of that certificate
  --ssl-client-auth MODE   ssl.client.auth of SSL listeners: none (default), requested or
                           required; a client certificate names the principal (User:CN=...)
  --tls-ca FILE            PEM certificate authorities that client certificates must chain to
  --sasl-user NAME:PASSWORD
                           a SASL user for PLAIN and SCRAM-SHA-256/512 (repeatable)
  --sasl-mechanisms LIST   enabled mechanisms, comma-separated (default PLAIN,SCRAM-SHA-256,
                           SCRAM-SHA-512); OAUTHBEARER only when listed
  --oauthbearer-jwks FILE_OR_URL
                           validate OAUTHBEARER tokens as JWTs signed by these JWKS keys: a file
                           (read again when it changes) or an http(s) URL (refreshed hourly, and
                           soon after an unknown kid); without it OAUTHBEARER accepts unsigned
                           tokens from anyone (development only)
  --oauthbearer-jwks-refresh-ms MS
                           refresh interval of a JWKS URL (default 3600000)
  --oauthbearer-issuer ISS the iss every token must carry
  --oauthbearer-audience AUD
                           an aud a token must name (repeatable, or comma-separated)
  --oauthbearer-clock-skew-seconds N
                           leeway of exp and nbf (default 30)
  --oauthbearer-sub-claim-name NAME
                           the claim naming the principal (default sub)
  --oauthbearer-scope-claim-name NAME
                           the scope claim (default scope)
                           Kafka's names work too: --config sasl.enabled.mechanisms=...,
                           sasl.oauthbearer.jwks.endpoint.url, .expected.issuer,
                           .expected.audience, .clock.skew.seconds, .sub.claim.name,
                           .scope.claim.name, .jwks.endpoint.refresh.ms
  --gssapi-keytab FILE     the service's Kerberos keytab (MIT format) for GSSAPI (list GSSAPI in
                           --sasl-mechanisms); no KDC is contacted
  --gssapi-principal NAME  the service principal in the keytab, e.g. kafka/broker1@EXAMPLE.COM
  --kerberos-rules LIST    sasl.kerberos.principal.to.local.rules, comma-separated (default
                           DEFAULT); --config sasl.kerberos.principal.to.local.rules=... too
  --session-lifetime-ms MS connections.max.reauth.ms: sessions end unless re-authenticated
  --authorizer             turn ACLs on (Kafka's standard authorizer semantics); manage them with
                           the ACL admin requests, e.g. kafka-acls.sh
  --super-user PRINCIPAL   a principal allowed everything, e.g. User:admin (repeatable; implies
                           --authorizer)
  --allow-everyone-if-no-acl-found
                           allow actions on resources that no ACL names (implies --authorizer)
  -h, --help               print this help

Prints "listening on HOST:PORT[,HOST:PORT...]" once every node accepts connections (other
listeners' addresses go to stderr).
`;

/** A command-line mistake: reported in one line, exit status 2. */
class UsageError extends Error {}

function integer(name: string, value: string | undefined, min: number, max: number) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

/** A number of bytes, with an optional k, m or g suffix (powers of 1024). */
function size(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+)([kmg]?)$/i.exec(value);
  const n = m ? Number(m[1]) * 1024 ** " kmg".indexOf((m[2] || " ").toLowerCase()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(
      `--${name} must be a positive size such as 1048576 or 512m, got '${value}'`,
    );
  }
  return n;
}

/** The broker options and fault plan the arguments ask for. */
export async function parseCommandLine(
  args: string[],
): Promise<
  { help: true } | {
    help: false;
    options: BrokerOptions;
    plan?: FaultPlan;
    control?: { hostname: string; port: number };
    console?: { hostname: string; port: number };
  }
> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        brokers: { type: "string" },
        partitions: { type: "string" },
        "replication-factor": { type: "string" },
        topic: { type: "string", multiple: true },
        "metrics-port": { type: "string" },
        "metrics-host": { type: "string" },
        "control-port": { type: "string" },
        "control-host": { type: "string" },
        "console-port": { type: "string" },
        "console-host": { type: "string" },
        "slow-request-ms": { type: "string" },
        faults: { type: "string" },
        config: { type: "string", multiple: true },
        feature: { type: "string", multiple: true },
        "no-auto-create": { type: "boolean" },
        "client-telemetry": { type: "boolean" },
        "max-memory": { type: "string" },
        listener: { type: "string", multiple: true },
        "advertised-listener": { type: "string", multiple: true },
        "tls-cert": { type: "string" },
        "tls-key": { type: "string" },
        "ssl-client-auth": { type: "string" },
        "tls-ca": { type: "string" },
        "sasl-user": { type: "string", multiple: true },
        "sasl-mechanisms": { type: "string" },
        "oauthbearer-jwks": { type: "string" },
        "oauthbearer-jwks-refresh-ms": { type: "string" },
        "oauthbearer-issuer": { type: "string" },
        "oauthbearer-audience": { type: "string", multiple: true },
        "oauthbearer-clock-skew-seconds": { type: "string" },
        "oauthbearer-sub-claim-name": { type: "string" },
        "oauthbearer-scope-claim-name": { type: "string" },
        "gssapi-keytab": { type: "string" },
        "gssapi-principal": { type: "string" },
        "kerberos-rules": { type: "string" },
        "session-lifetime-ms": { type: "string" },
        authorizer: { type: "boolean" },
        "super-user": { type: "string", multiple: true },
        "allow-everyone-if-no-acl-found": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  if (values.help) return { help: true };
  const brokers = integer("brokers", values.brokers, 1, 100) ?? 1;
  const port = integer("port", values.port, 0, 65535) ?? 9092;
  if (port > 0 && port + brokers - 1 > 65535) {
    throw new UsageError(`--port ${port} leaves no room for ${brokers} brokers`);
  }
  const options: BrokerOptions = {
    host: values.host ?? "127.0.0.1",
    port,
    nodes: brokers,
    defaultPartitions: integer("partitions", values.partitions, 1, 10000),
    defaultReplicationFactor: integer(
      "replication-factor",
      values["replication-factor"],
      1,
      brokers,
    ),
    metricsPort: integer("metrics-port", values["metrics-port"], 0, 65535),
    metricsHost: values["metrics-host"],
    slowRequestMs: integer("slow-request-ms", values["slow-request-ms"], 0, 86400000),
    autoCreateTopics: values["no-auto-create"] ? false : undefined,
    clientTelemetry: values["client-telemetry"] ? true : undefined,
    maxMemoryBytes: size("max-memory", values["max-memory"]),
    topics: {},
    configs: {},
  };
  for (const spec of values.config ?? []) {
    const at = spec.indexOf("=");
    if (at < 1) throw new UsageError(`--config needs NAME=VALUE, got '${spec}'`);
    options.configs![spec.slice(0, at)] = spec.slice(at + 1);
  }
  for (const spec of values.feature ?? []) {
    const at = spec.indexOf("=");
    const level = Number(spec.slice(at + 1));
    if (at < 1 || !Number.isInteger(level) || level < 0) {
      throw new UsageError(`--feature needs NAME=LEVEL, got '${spec}'`);
    }
    (options.features ??= {})[spec.slice(0, at)] = level;
  }
  for (const spec of values.topic ?? []) {
    const [name, partitions, rf] = spec.split(":");
    if (!name) throw new UsageError(`--topic needs NAME[:PARTITIONS[:REPLICATION]], got '${spec}'`);
    options.topics![name] = {
      partitions: integer("topic partitions", partitions, 1, 10000),
      replicationFactor: integer("topic replication factor", rf, 1, brokers),
    };
  }
  if (options.metricsHost !== undefined && options.metricsPort === undefined) {
    throw new UsageError("--metrics-host needs --metrics-port");
  }
  await securityOptions(values, options);
  const controlPort = integer("control-port", values["control-port"], 0, 65535);
  if (values["control-host"] !== undefined && controlPort === undefined) {
    throw new UsageError("--control-host needs --control-port");
  }
  const control = controlPort === undefined
    ? undefined
    : { hostname: values["control-host"] ?? "127.0.0.1", port: controlPort };
  const consolePort = integer("console-port", values["console-port"], 0, 65535);
  if (values["console-host"] !== undefined && consolePort === undefined) {
    throw new UsageError("--console-host needs --console-port");
  }
  const web = consolePort === undefined
    ? undefined
    : { hostname: values["console-host"] ?? "127.0.0.1", port: consolePort, console: true };
  if (values.faults === undefined) return { help: false, options, control, console: web };
  let plan: FaultPlan;
  try {
    plan = JSON.parse(await Deno.readTextFile(values.faults));
    parseFaultPlan(plan);
  } catch (e) {
    throw new UsageError(`--faults ${values.faults}: ${(e as Error).message.split("\n")[0]}`);
  }
  return { help: false, options, plan, control, console: web };
}

/** Adds listeners, TLS and SASL from the security flags. */
async function securityOptions(
  values: {
    listener?: string[];
    "advertised-listener"?: string[];
    "tls-cert"?: string;
    "tls-key"?: string;
    "ssl-client-auth"?: string;
    "tls-ca"?: string;
    "sasl-user"?: string[];
    "sasl-mechanisms"?: string;
    "oauthbearer-jwks"?: string;
    "oauthbearer-jwks-refresh-ms"?: string;
    "oauthbearer-issuer"?: string;
    "oauthbearer-audience"?: string[];
    "oauthbearer-clock-skew-seconds"?: string;
    "oauthbearer-sub-claim-name"?: string;
    "oauthbearer-scope-claim-name"?: string;
    "gssapi-keytab"?: string;
    "gssapi-principal"?: string;
    "kerberos-rules"?: string;
    "session-lifetime-ms"?: string;
    authorizer?: boolean;
    "super-user"?: string[];
    "allow-everyone-if-no-acl-found"?: boolean;
  },
  options: BrokerOptions,
): Promise<void> {
  const superUsers = values["super-user"] ?? [];
  for (const p of superUsers) {
    if (p.indexOf(":") < 1) throw new UsageError(`--super-user needs TYPE:NAME, got '${p}'`);
  }
  const allowEveryone = values["allow-everyone-if-no-acl-found"] ?? false;
  if (values.authorizer || superUsers.length > 0 || allowEveryone) {
    options.authorizer = { superUsers, allowEveryoneIfNoAclFound: allowEveryone };
  }
  if (values.listener) options.listeners = values.listener;
  if (values["advertised-listener"]) options.advertisedListeners = values["advertised-listener"];
  if ((values["tls-cert"] === undefined) !== (values["tls-key"] === undefined)) {
    throw new UsageError("--tls-cert and --tls-key go together");
  }
  if (values["tls-cert"] !== undefined) {
    const read = async (flag: string, file: string) => {
      try {
        return await Deno.readTextFile(file);
      } catch (e) {
        throw new UsageError(`--${flag} ${file}: ${(e as Error).message}`);
      }
    };
    options.tls = {
      cert: await read("tls-cert", values["tls-cert"]),
      key: await read("tls-key", values["tls-key"]!),
    };
    const clientAuth = values["ssl-client-auth"] ?? "none";
    if (clientAuth !== "none" && clientAuth !== "requested" && clientAuth !== "required") {
      throw new UsageError(
        `--ssl-client-auth must be none, requested or required, got '${clientAuth}'`,
      );
    }
    options.tls.clientAuth = clientAuth;
    if (values["tls-ca"] !== undefined) {
      options.tls.caCerts = [await read("tls-ca", values["tls-ca"])];
    }
  } else if (values["ssl-client-auth"] !== undefined || values["tls-ca"] !== undefined) {
    throw new UsageError("--ssl-client-auth and --tls-ca need --tls-cert and --tls-key");
  }
  const users: Record<string, string> = {};
  for (const u of values["sasl-user"] ?? []) {
    const colon = u.indexOf(":");
    if (colon < 1) throw new UsageError(`--sasl-user needs NAME:PASSWORD, got '${u}'`);
    users[u.slice(0, colon)] = u.slice(colon + 1);
  }
  // Kafka's property names (--config) where no flag says otherwise.
  const config = (name: string) => options.configs?.[name];
  const mechanismList = values["sasl-mechanisms"] ?? config("sasl.enabled.mechanisms");
  const mechanisms = mechanismList?.split(",").map((m) => m.trim().toUpperCase());
  for (const m of mechanisms ?? []) {
    if (!(SASL_MECHANISMS as readonly string[]).includes(m)) {
      throw new UsageError(`--sasl-mechanisms: unknown mechanism '${m}'`);
    }
  }
  options.sasl = {
    users,
    mechanisms: mechanisms as SaslMechanism[] | undefined,
    oauthBearer: oauthBearerOptions(values, config),
    sessionLifetimeMs: integer("session-lifetime-ms", values["session-lifetime-ms"], 0, 2 ** 31),
  };
  if (options.sasl.oauthBearer && !mechanisms?.includes("OAUTHBEARER")) {
    throw new UsageError("--oauthbearer-jwks needs OAUTHBEARER in --sasl-mechanisms");
  }
  const keytab = values["gssapi-keytab"];
  const principal = values["gssapi-principal"];
  if ((keytab === undefined) !== (principal === undefined)) {
    throw new UsageError("--gssapi-keytab and --gssapi-principal go together");
  }
  if (keytab !== undefined && !mechanisms?.includes("GSSAPI")) {
    throw new UsageError("--gssapi-keytab needs GSSAPI in --sasl-mechanisms");
  }
  if (mechanisms?.includes("GSSAPI") && keytab === undefined) {
    throw new UsageError("GSSAPI needs --gssapi-keytab and --gssapi-principal");
  }
  if (keytab !== undefined) {
    let bytes;
    try {
      bytes = await Deno.readFile(keytab);
    } catch (e) {
      throw new UsageError(`--gssapi-keytab ${keytab}: ${(e as Error).message}`);
    }
    const rules = values["kerberos-rules"] ?? config("sasl.kerberos.principal.to.local.rules");
    options.sasl.gssapi = { keytab: bytes, principal: principal!, rules };
  }
}

/** The JWT validator the OAUTHBEARER flags (or Kafka's sasl.oauthbearer.* names) ask for. */
function oauthBearerOptions(
  values: {
    "oauthbearer-jwks"?: string;
    "oauthbearer-jwks-refresh-ms"?: string;
    "oauthbearer-issuer"?: string;
    "oauthbearer-audience"?: string[];
    "oauthbearer-clock-skew-seconds"?: string;
    "oauthbearer-sub-claim-name"?: string;
    "oauthbearer-scope-claim-name"?: string;
  },
  config: (name: string) => string | undefined,
): OAuthBearerJwtOptions | undefined {
  const setting = (flag: keyof typeof values & string, name: string) => {
    const value = values[flag] ?? config(`sasl.oauthbearer.${name}`);
    return typeof value === "string" ? value : undefined;
  };
  const jwks = setting("oauthbearer-jwks", "jwks.endpoint.url");
  const audience = (values["oauthbearer-audience"] ??
    config("sasl.oauthbearer.expected.audience")?.split(",") ?? [])
    .flatMap((a) => a.split(",")).map((a) => a.trim()).filter((a) => a !== "");
  const rest = {
    issuer: setting("oauthbearer-issuer", "expected.issuer"),
    audience: audience.length > 0 ? audience : undefined,
    clockSkewSeconds: integer(
      "oauthbearer-clock-skew-seconds",
      setting("oauthbearer-clock-skew-seconds", "clock.skew.seconds"),
      0,
      2 ** 31 - 1,
    ),
    subClaimName: setting("oauthbearer-sub-claim-name", "sub.claim.name"),
    scopeClaimName: setting("oauthbearer-scope-claim-name", "scope.claim.name"),
  };
  const refreshMs = integer(
    "oauthbearer-jwks-refresh-ms",
    setting("oauthbearer-jwks-refresh-ms", "jwks.endpoint.refresh.ms"),
    1,
    2 ** 31 - 1,
  );
  if (jwks === undefined) {
    if (Object.values(rest).some((v) => v !== undefined) || refreshMs !== undefined) {
      throw new UsageError("the --oauthbearer-* settings need --oauthbearer-jwks");
    }
    return undefined;
  }
  if (/^https?:\/\//i.test(jwks)) return { jwks: { url: jwks, refreshMs }, ...rest };
  if (refreshMs !== undefined) {
    throw new UsageError("--oauthbearer-jwks-refresh-ms applies to a JWKS URL, not a file");
  }
  let file = jwks;
  if (/^file:/i.test(jwks)) {
    try {
      file = decodeURIComponent(new URL(jwks).pathname);
    } catch {
      throw new UsageError(`--oauthbearer-jwks: malformed URL '${jwks}'`);
    }
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(jwks)) {
    throw new UsageError(`--oauthbearer-jwks: only http, https and file URLs, got '${jwks}'`);
  }
  return { jwks: { file }, ...rest };
}

/** Runs the CLI; resolves with the exit status once the broker has stopped. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = await parseCommandLine(args);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`broker: ${e.message} (see --help)`);
    return 2;
  }
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  let broker: Broker;
  try {
    broker = await Broker.start(parsed.options);
  } catch (e) {
    console.error(`broker: cannot start: ${(e as Error).message}`);
    return 1;
  }
  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, stop);
  let control: ControlServer | undefined;
  let web: ControlServer | undefined;
  try {
    // The plan's immediate faults are in place before clients learn where to connect.
    if (parsed.plan) broker.runFaultPlan(parsed.plan);
    const sasl = broker.nodes[0].endpoints?.some((e) => e.securityProtocol.startsWith("SASL_"));
    if (sasl && unsecuredOAuthBearer(parsed.options.sasl ?? {})) {
      console.error(
        "broker: WARNING: OAUTHBEARER accepts unsigned JWTs (Kafka's unsecured validator, for development only): anyone can log in as any principal; give --oauthbearer-jwks to require signed tokens",
      );
    }
    if (broker.metricsAddress) {
      console.error(`metrics on http://${broker.metricsAddress}/metrics`);
    }
    for (const endpoint of broker.nodes[0].endpoints?.slice(1) ?? []) {
      const name = endpoint.listenerName;
      console.error(`${name} listening on ${broker.bootstrapServersFor(name)}`);
    }
    if (parsed.control) {
      try {
        control = await serveControl(broker, parsed.control);
        if (!/^(127\.|::1$|localhost$)/.test(parsed.control.hostname)) {
          console.error(
            "broker: WARNING: the control API has no authentication, and anyone who reaches " +
              `${control.address} can reset the broker, read its records and inject faults`,
          );
        }
      } catch (e) {
        console.error(`broker: cannot serve the control API: ${(e as Error).message}`);
        return 1;
      }
    }
    if (parsed.console) {
      try {
        web = await serveControl(broker, parsed.console);
      } catch (e) {
        console.error(`broker: cannot serve the console: ${(e as Error).message}`);
        return 1;
      }
    }
    console.log(`listening on ${broker.bootstrapServers}`);
    if (control) console.log(`control on ${control.address}`);
    if (web) console.log(`console on http://${web.address}/`);
    await stopped.promise;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, stop);
    await control?.shutdown();
    await web?.shutdown();
    await broker.close();
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
