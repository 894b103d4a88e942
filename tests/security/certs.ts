// Test certificates, made with openssl at test time (none are checked in): a CA, and a broker
// certificate for 127.0.0.1 and localhost signed by it.

/** PEM files of a test CA and a broker certificate, with the directory that holds them. */
export interface TestCertificates {
  dir: string;
  caCert: string;
  cert: string;
  key: string;
  caCertPath: string;
  certPath: string;
  keyPath: string;
}

let made: Promise<TestCertificates> | undefined;

async function openssl(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Makes (once per process) a CA and a broker certificate valid for 127.0.0.1 and localhost. */
export function testCertificates(): Promise<TestCertificates> {
  made ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "brook-certs-" });
    // The files outlive every test of the process (peers read them by path); gone at its end.
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    await openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=Brook test CA",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    ], dir);
    await openssl([
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-keyout",
      "broker.key",
      "-out",
      "broker.csr",
    ], dir);
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n",
    );
    await openssl([
      "x509",
      "-req",
      "-in",
      "broker.csr",
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      "ext.cnf",
      "-out",
      "broker.pem",
    ], dir);
    return {
      dir,
      caCert: await Deno.readTextFile(`${dir}/ca.pem`),
      cert: await Deno.readTextFile(`${dir}/broker.pem`),
      key: await Deno.readTextFile(`${dir}/broker.key`),
      caCertPath: `${dir}/ca.pem`,
      certPath: `${dir}/broker.pem`,
      keyPath: `${dir}/broker.key`,
    };
  })();
  return made;
}

/** A client certificate and key, PEM, with their paths. */
export interface ClientCertificate {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

/**
 * Makes a client certificate for mutual TLS with the given subject (e.g. "/O=Brook/CN=alice"),
 * signed by the test CA, by the CA whose `ca.pem` and `ca.key` are in `caDir`, or by a CA of its
 * own when `untrusted`.
 */
export async function clientCertificate(
  subject: string,
  options: { untrusted?: boolean; caDir?: string } = {},
): Promise<ClientCertificate> {
  const certs = await testCertificates();
  const dir = await Deno.makeTempDir({ dir: certs.dir, prefix: "client-" });
  let ca = `${options.caDir ?? certs.dir}/ca`;
  if (options.untrusted) {
    ca = `${dir}/rogue`;
    await openssl(
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Rogue CA"]
        .concat(["-keyout", "rogue.key", "-out", "rogue.pem"]),
      dir,
    );
  }
  await openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", "client.key"]
      .concat(["-out", "client.csr"]),
    dir,
  );
  await Deno.writeTextFile(`${dir}/ext.cnf`, "extendedKeyUsage=clientAuth\n");
  await openssl(
    ["x509", "-req", "-in", "client.csr", "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`]
      .concat(["-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "client.pem"]),
    dir,
  );
  return {
    cert: await Deno.readTextFile(`${dir}/client.pem`),
    key: await Deno.readTextFile(`${dir}/client.key`),
    certPath: `${dir}/client.pem`,
    keyPath: `${dir}/client.key`,
  };
}

/** A broker certificate and key, PEM, with their paths. */
export interface BrokerCertificate {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

/**
 * Makes a broker certificate signed by the test CA whose subject alternative names are exactly
 * `altNames` (e.g. ["DNS:kafka.internal"]), to test which name a client verifies.
 */
export async function brokerCertificate(altNames: string[]): Promise<BrokerCertificate> {
  const certs = await testCertificates();
  const dir = await Deno.makeTempDir({ dir: certs.dir, prefix: "broker-" });
  await openssl(
    ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Brook test broker"]
      .concat(["-keyout", "broker.key", "-out", "broker.csr"]),
    dir,
  );
  await Deno.writeTextFile(
    `${dir}/ext.cnf`,
    `subjectAltName=${altNames.join(",")}\nextendedKeyUsage=serverAuth\n`,
  );
  await openssl(
    ["x509", "-req", "-in", "broker.csr", "-CA", `${certs.dir}/ca.pem`, "-CAkey"]
      .concat([`${certs.dir}/ca.key`, "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf"])
      .concat(["-out", "broker.pem"]),
    dir,
  );
  return {
    cert: await Deno.readTextFile(`${dir}/broker.pem`),
    key: await Deno.readTextFile(`${dir}/broker.key`),
    certPath: `${dir}/broker.pem`,
    keyPath: `${dir}/broker.key`,
  };
}
