// SASL messages: SCRAM-SHA-256 against RFC 7677's worked example (client and server side), SCRAM
// name escaping and malformed messages, PLAIN and OAUTHBEARER message formats.
import { assertEquals, assertOk, assertThrows } from "../assert.ts";
import {
  oauthBearerInitialResponse,
  parseClientFinal,
  parseClientFirst,
  parseOAuthBearerInitialResponse,
  parsePlainMessage,
  parseUnsecuredJwt,
  plainMessage,
  ScramClient,
  scramCredential,
  ScramError,
  unsecuredJwt,
  verifyClientProof,
} from "../../codec/mod.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("sasl: SCRAM-SHA-256 gives RFC 7677's client proof and server signature", async () => {
  const client = new ScramClient("SCRAM-SHA-256", {
    username: "user",
    password: "pencil",
    nonce: "rOprNGfwEbeRWgbNEkqO",
  });
  assertEquals(text(client.first()), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  const serverFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
  const final = text(await client.final(bytes(serverFirst)));
  assertEquals(
    final,
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
  );
  client.verify(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
  assertThrows(() => client.verify(bytes("v=AAAA")), ScramError);

  // The server side checks the same proof with a credential derived from the same salt.
  const salt = Uint8Array.from(atob("W22ZaJ0SNY7soEsUEjb6gQ=="), (c) => c.charCodeAt(0));
  const credential = await scramCredential("SCRAM-SHA-256", { password: "pencil", salt });
  const first = parseClientFirst(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"));
  const parsed = parseClientFinal(bytes(final));
  const serverFinal = await verifyClientProof("SCRAM-SHA-256", credential, {
    authMessage: `${first.bare},${serverFirst},${parsed.withoutProof}`,
    proof: parsed.proof,
  });
  assertEquals(text(serverFinal), "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  const wrong = await scramCredential("SCRAM-SHA-256", { password: "pen", salt });
  let refused = false;
  await verifyClientProof("SCRAM-SHA-256", wrong, { authMessage: "x", proof: parsed.proof }).catch(
    () => refused = true,
  );
  assertOk(refused);
});

Deno.test("sasl: SCRAM names escape ',' and '=', and malformed messages are refused", () => {
  const first = parseClientFirst(bytes("n,a=x=2Cy,n=a=3Db=2Cc,r=abc,tokenauth=true"));
  assertEquals([first.authorizationId, first.username, first.nonce], ["x,y", "a=b,c", "abc"]);
  assertEquals(first.extensions.get("tokenauth"), "true");
  assertThrows(() => parseClientFirst(bytes("n,,n=bad=name,r=x")), ScramError);
  assertThrows(() => parseClientFirst(bytes("p=tls-unique,,n=u,r=x")), ScramError);
  assertThrows(() => parseClientFinal(bytes("c=biws,r=abc")), ScramError);
});

Deno.test("sasl: PLAIN and OAUTHBEARER messages", () => {
  assertEquals(text(plainMessage("alice", "pw")), "\u0000alice\u0000pw");
  assertEquals(parsePlainMessage(bytes("z\u0000alice\u0000pw")), {
    authorizationId: "z",
    username: "alice",
    password: "pw",
  });
  assertEquals(parsePlainMessage(bytes("alice\u0000pw")), null);

  const token = unsecuredJwt({ sub: "carol", lifetimeMs: 60_000, now: 1_000_000 });
  assertEquals(parseUnsecuredJwt(token)?.claims, { sub: "carol", iat: 1000, exp: 1060 });
  const message = oauthBearerInitialResponse(token, { extensions: { traceId: "42" } });
  assertEquals(text(message), `n,,\u0001auth=Bearer ${token}\u0001traceId=42\u0001\u0001`);
  const parsed = parseOAuthBearerInitialResponse(message);
  assertEquals([parsed?.token, parsed?.extensions.get("traceId")], [token, "42"]);
  assertEquals(parseOAuthBearerInitialResponse(bytes("n,,auth=Bearer x")), null);
  assertEquals(parseOAuthBearerInitialResponse(bytes("n,,\u0001auth=Basic x\u0001\u0001")), null);
});
