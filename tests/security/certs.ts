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
