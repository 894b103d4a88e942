/**
 * DescribeCluster (key 60): the cluster id, the controller and the brokers.
 *
 * @module
 */

import { ApiKey, ErrorCode } from "../../codec/mod.ts";
import { endpointOf } from "../metadata/cluster.ts";
import { defineHandler } from "../server/handler.ts";
import { clusterOperations } from "../security/access.ts";

export default defineHandler({
  apiKey: ApiKey.DescribeCluster,
  minVersion: 0,
  maxVersion: 2,
  handle(request, ctx) {
    const { apiVersion } = ctx;
    // Endpoint type 2 (controllers) is for controller listeners, which Brook's nodes do not have.
    if (apiVersion >= 1 && request.endpointType !== 1) {
      return {
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage:
          "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER",
        clusterId: ctx.metadata.clusterId,
        brokers: [],
      };
    }
    return {
      errorCode: ErrorCode.NONE,
      endpointType: 1,
      clusterId: ctx.metadata.clusterId,
      controllerId: ctx.metadata.controllerId,
      brokers: ctx.metadata.nodes.map((n) => ({
        brokerId: n.nodeId,
        ...endpointOf(n, ctx.connection.listenerName),
        rack: n.rack,
        isFenced: false,
      })),
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations
        ? clusterOperations(ctx)
        : -2147483648,
    };
  },
});
