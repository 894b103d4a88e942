// DescribeConfigs with includeDocumentation: each config's documentation as Kafka gives it, for a
// topic, a broker, a group and a client-metrics subscription; and none when not asked for.
import { ApiKey } from "../../codec/mod.ts";
import { type Scenario, step } from "./differential.ts";

type Described = {
  results: {
    errorCode: number;
    configs: { name: string; documentation: string | null }[];
  }[];
};

/** Each described config's name and documentation, in name order (values differ by cluster). */
const docsOnly = (r: unknown) =>
  (r as Described).results.map((result) => ({
    errorCode: result.errorCode,
    configs: result.configs.map((c) => [c.name, c.documentation]).sort(),
  }));

/** The scenarios; `run` makes names unique to this run. */
export function configDocScenarios(run: string): Scenario[] {
  const topic = `${run}-docs`;
  const describe = (resourceType: number, resourceName: string, includeDocumentation: boolean) =>
    step(
      ApiKey.DescribeConfigs,
      4,
      {
        resources: [{ resourceType, resourceName, configurationKeys: null }],
        includeSynonyms: false,
        includeDocumentation,
      },
      undefined,
      docsOnly,
    );
  return [{
    name: "configs: DescribeConfigs gives each config's documentation when asked",
    steps: [
      step(ApiKey.CreateTopics, 7, {
        topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }],
        timeoutMs: 5000,
      }),
      describe(2, topic, true),
      describe(2, topic, false),
      describe(4, "1", true),
      describe(32, `${run}-docs-group`, true),
    ],
  }];
}
