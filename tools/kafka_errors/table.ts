// Prints Brook's error table in the form tools/kafka_errors/run.sh prints Kafka's.
import { ERRORS } from "../../codec/errors.ts";
for (const e of ERRORS) console.log(`${e.code}\t${e.name}\t${e.retriable}`);
