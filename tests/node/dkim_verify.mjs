// An independent DKIM verifier for the tests: mailauth (Node), asking the test DNS server.
// Usage: node dkim_verify.mjs 127.0.0.1:PORT < message.eml ; prints mailauth's results as JSON.
import { Resolver } from "node:dns/promises";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";

const resolver = new Resolver({ timeout: 2000, tries: 1 });
resolver.setServers([process.argv[2]]);
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const result = await dkimVerify(Buffer.concat(chunks), {
  resolver: (name, type) => resolver.resolve(name, type),
});
console.log(JSON.stringify(result.results.map((r) => ({
  status: r.status.result,
  domain: r.signingDomain,
  selector: r.selector,
  algo: r.algo,
  canonicalization: r.format,
  comment: r.status.comment || "",
}))));
