// A telemetry receiver for a real Kafka broker (KIP-714): listed in metric.reporters, it makes the
// broker advertise GetTelemetrySubscriptions and PushTelemetry, and appends each push it receives
// to a file as one JSON line (instance id, client id, terminating flag, and every data point), so
// that Brook's tests can assert what a client reported. The file is brook.telemetry.file in
// server.properties. A payload that is not OTLP MetricsData fails the push with INVALID_RECORD.

import java.io.FileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.server.authorizer.AuthorizableRequestContext;
import org.apache.kafka.server.telemetry.ClientTelemetry;
import org.apache.kafka.server.telemetry.ClientTelemetryPayload;
import org.apache.kafka.server.telemetry.ClientTelemetryReceiver;
import org.apache.kafka.shaded.io.opentelemetry.proto.common.v1.KeyValue;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Metric;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.MetricsData;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ScopeMetrics;

public class FileTelemetryReceiver implements MetricsReporter, ClientTelemetry {
    private volatile String path;

    @Override
    public void configure(Map<String, ?> configs) {
        Object file = configs.get("brook.telemetry.file");
        path = file != null ? file.toString() : System.getenv("BROOK_TELEMETRY_FILE");
    }

    @Override public void init(List<KafkaMetric> metrics) { }
    @Override public void metricChange(KafkaMetric metric) { }
    @Override public void metricRemoval(KafkaMetric metric) { }
    @Override public void close() { }

    @Override
    public ClientTelemetryReceiver clientReceiver() {
        return this::receive;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }

    private static String attributes(List<KeyValue> attrs) {
        StringBuilder b = new StringBuilder("{");
        for (KeyValue kv : attrs) {
            if (b.length() > 1) b.append(',');
            b.append(quote(kv.getKey())).append(':').append(quote(kv.getValue().getStringValue()));
        }
        return b.append('}').toString();
    }

    private static void points(StringBuilder out, Metric m, String kind, List<NumberDataPoint> points) {
        for (NumberDataPoint p : points) {
            if (out.charAt(out.length() - 1) != '[') out.append(',');
            double value = p.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? p.getAsInt() : p.getAsDouble();
            out.append("{\"name\":").append(quote(m.getName()))
                .append(",\"kind\":\"").append(kind).append('"')
                .append(",\"value\":").append(Double.isFinite(value) ? Double.toString(value) : "null")
                .append(",\"attributes\":").append(attributes(p.getAttributesList())).append('}');
        }
    }

    private synchronized void receive(AuthorizableRequestContext context, ClientTelemetryPayload payload) {
        MetricsData data;
        try {
            data = MetricsData.parseFrom(payload.data());
        } catch (IOException e) {
            throw new IllegalArgumentException("not OTLP MetricsData", e);
        }
        StringBuilder out = new StringBuilder("{\"clientInstanceId\":")
            .append(quote(payload.clientInstanceId().toString()))
            .append(",\"clientId\":").append(quote(String.valueOf(context.clientId())))
            .append(",\"terminating\":").append(payload.isTerminating())
            .append(",\"contentType\":").append(quote(payload.contentType()))
            .append(",\"resource\":");
        String resource = "{}";
        StringBuilder metrics = new StringBuilder("[");
        for (ResourceMetrics rm : data.getResourceMetricsList()) {
            resource = attributes(rm.getResource().getAttributesList());
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (Metric m : sm.getMetricsList()) {
                    if (m.hasGauge()) points(metrics, m, "gauge", m.getGauge().getDataPointsList());
                    else if (m.hasSum()) points(metrics, m, "sum", m.getSum().getDataPointsList());
                }
            }
        }
        out.append(resource).append(",\"metrics\":").append(metrics).append("]}\n");
        if (path == null) return;
        try (FileWriter w = new FileWriter(path, true)) {
            w.write(out.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
