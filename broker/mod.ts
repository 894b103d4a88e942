/**
 * Brook's embedded Kafka broker: a real Kafka broker on the wire, in memory, started in milliseconds
 * from a test.
 *
 * @example
 * ```ts
 * import { Broker } from "@brook/kafka/broker";
 * await using broker = await Broker.start({ nodes: 3, topics: { orders: { partitions: 6 } } });
 * // point any Kafka client at broker.bootstrapServers
 * ```
 *
 * @module
 */

export { Broker, type BrokerOptions } from "./broker.ts";
export type { CreateTopicOptions, Endpoint, NodeInfo } from "./metadata/cluster.ts";
export type { PartitionInfo, TopicInfo } from "./metadata/topic_view.ts";
export type { InterceptedRequest, Interceptor } from "./server/dispatcher.ts";
export {
  type ApiKeyLike,
  type ErrorCodeLike,
  type FaultHandle,
  type FaultScope,
  type FaultSpec,
  FaultSpecError,
} from "./faults/faults.ts";
export {
  type FaultPlan,
  type FaultPlanStep,
  parseFaultPlan,
  type PlanTiming,
} from "./faults/faults_plan.ts";
export type {
  ApiMetricsSnapshot,
  HistogramSnapshot,
  MetricsSnapshot,
  SlowRequest,
} from "./server/metrics.ts";
export type {
  BrokerSaslOptions,
  BrokerTlsOptions,
  ListenerOptions,
  OAuthBearerValidation,
  SaslMechanism,
  SecurityProtocol,
} from "./security/options.ts";
export {
  type AclAction,
  allOperations,
  Authorizer,
  type BrokerAuthorizerOptions,
  type Requester,
} from "./security/authorizer.ts";
export { validateUnsecuredJwt } from "./security/mechanisms.ts";
export type { OAuthBearerJwtOptions } from "./security/jwt_validator.ts";
export type { GssapiOptions } from "./security/gssapi.ts";
export type { JwksSource } from "./security/jwks.ts";
export { SASL_MECHANISMS } from "./security/options.ts";
export { type ControlServer, type ControlServerOptions, serveControl } from "./control/server.ts";
export {
  type WaitCondition,
  type WaitObservation,
  type WaitOptions,
  WaitTimeoutError,
} from "./control/wait.ts";
export type { ClientTelemetryReport, ReportedMetric } from "./telemetry/client_telemetry.ts";
