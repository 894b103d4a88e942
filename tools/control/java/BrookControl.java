// A tiny client of Brook's broker control API (Java 17 standard library only).
//
//   try (BrookControl.Broker broker = BrookControl.startBroker("--brokers", "3")) {
//     broker.control.inject(Map.of("kind", "error", "apiKey", "Produce",
//         "errorCode", "NOT_LEADER_OR_FOLLOWER", "count", 2));
//     // ...run Kafka clients against broker.bootstrapServers
//     broker.control.await(Map.of("kind", "group", "groupId", "g", "members", 1));
//     broker.control.reset();
//   }
//
// Answers are decoded JSON (Map, List, String, Double, Boolean, null). A refusal throws
// BrookControl.Error with the status and the broker's one-line message (408: a wait timed out).
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public final class BrookControl {
  /** A request the control API refused. */
  public static final class Error extends RuntimeException {
    public final int status;
    public final Map<String, Object> body;

    Error(int status, String message, Map<String, Object> body) {
      super(status + ": " + message);
      this.status = status;
      this.body = body;
    }
  }

  private final String base;
  private final HttpClient http = HttpClient.newBuilder()
      // Plain HTTP/1.1: no h2c upgrade on a loopback API.
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();

  /** The control API at address ("127.0.0.1:PORT"). */
  public BrookControl(String address) {
    this.base = address.contains("://") ? address : "http://" + address;
  }

  /** Sends one request (body as JSON when not null) and decodes the answer. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> call(String method, String path, Object body) {
    HttpRequest.BodyPublisher publisher = body == null
        ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(Json.write(body));
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofMinutes(11))
        .header("content-type", "application/json")
        .method(method, publisher)
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException | InterruptedException e) {
      throw new RuntimeException(e);
    }
    String text = response.body().trim();
    Map<String, Object> answer = text.isEmpty() ? Map.of() : (Map<String, Object>) Json.read(text);
    if (response.statusCode() >= 400) {
      throw new Error(response.statusCode(), String.valueOf(answer.get("error")), answer);
    }
    return answer;
  }

  private static String path(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  public Map<String, Object> inject(Map<String, Object> fault) { return call("POST", "/faults", fault); }
  public Map<String, Object> fault(long id) { return call("GET", "/faults/" + id, null); }
  public Map<String, Object> clearFaults() { return call("DELETE", "/faults", null); }
  public Map<String, Object> runPlan(List<Map<String, Object>> steps) {
    return call("POST", "/fault-plans", Map.of("faults", steps));
  }
  public Map<String, Object> stopNode(int id) { return call("POST", "/nodes/" + id + "/stop", null); }
  public Map<String, Object> restartNode(int id) { return call("POST", "/nodes/" + id + "/restart", null); }
  public Map<String, Object> moveLeader(String topic, int partition, int node) {
    return call("POST", "/topics/" + path(topic) + "/partitions/" + partition + "/leader", Map.of("nodeId", node));
  }
  public Map<String, Object> createTopic(String name, Map<String, Object> options) {
    Map<String, Object> body = new LinkedHashMap<>(options);
    body.put("name", name);
    return call("POST", "/topics", body);
  }
  public void deleteTopic(String name) { call("DELETE", "/topics/" + path(name), null); }
  public Map<String, Object> topic(String name) { return call("GET", "/topics/" + path(name), null); }
  /** A partition's records; query like "offset=0&limit=10&encoding=base64" (may be empty). */
  public Map<String, Object> records(String topic, int partition, String query) {
    String q = query == null || query.isEmpty() ? "" : "?" + query;
    return call("GET", "/topics/" + path(topic) + "/partitions/" + partition + "/records" + q, null);
  }
  /** Waits for a condition, e.g. Map.of("kind", "offset", "topic", "t", "partition", 0, "offset", 10). */
  public Map<String, Object> await(Map<String, Object> condition) { return call("POST", "/wait", condition); }
  public Map<String, Object> reset() { return call("POST", "/reset", null); }
  public Map<String, Object> metrics() { return call("GET", "/metrics", null); }

  /** A `deno task broker` process with its control API. */
  public static final class Broker implements AutoCloseable {
    public final Process process;
    public final String bootstrapServers;
    public final BrookControl control;

    Broker(Process process, String bootstrapServers, BrookControl control) {
      this.process = process;
      this.bootstrapServers = bootstrapServers;
      this.control = control;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      process.waitFor();
    }
  }

  /**
   * Starts `deno task broker --port 0 --control-port 0 ARGS` in the directory named by BROOK_HOME
   * (default the current one); returns once it listens.
   */
  public static Broker startBroker(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("deno", "task", "--quiet", "broker", "--port", "0", "--control-port", "0"));
    argv.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
    String home = System.getenv("BROOK_HOME");
    if (home != null) builder.directory(new java.io.File(home));
    Process process = builder.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String listening = String.valueOf(out.readLine()), control = String.valueOf(out.readLine());
    if (!listening.startsWith("listening on ") || !control.startsWith("control on ")) {
      process.destroyForcibly();
      throw new IOException("the broker did not start: " + listening + " / " + control);
    }
    return new Broker(process, listening.substring("listening on ".length()),
        new BrookControl(control.substring("control on ".length())));
  }

  /** Just enough JSON for the control API. */
  static final class Json {
    private final String s;
    private int i;

    private Json(String s) { this.s = s; }

    static Object read(String text) {
      Json j = new Json(text);
      Object v = j.value();
      j.space();
      if (j.i != text.length()) throw new IllegalArgumentException("trailing JSON at " + j.i);
      return v;
    }

    private void space() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

    private Object value() {
      space();
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        space();
        if (s.charAt(i) == '}') { i++; return m; }
        for (;;) {
          space();
          String key = (String) value();
          space();
          i++; // ':'
          m.put(key, value());
          space();
          if (s.charAt(i++) == '}') return m;
        }
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        i++;
        space();
        if (s.charAt(i) == ']') { i++; return l; }
        for (;;) {
          l.add(value());
          space();
          if (s.charAt(i++) == ']') return l;
        }
      }
      if (c == '"') {
        StringBuilder b = new StringBuilder();
        i++;
        for (char ch; (ch = s.charAt(i++)) != '"';) {
          if (ch != '\\') { b.append(ch); continue; }
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> { b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; }
            default -> b.append(e);
          }
        }
        return b.toString();
      }
      if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
      if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
      if (s.startsWith("null", i)) { i += 4; return null; }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) i++;
      return Double.parseDouble(s.substring(start, i));
    }

    static String write(Object v) {
      if (v == null) return "null";
      if (v instanceof String str) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : str.toCharArray()) {
          if (c == '"' || c == '\\') b.append('\\').append(c);
          else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
        return b.append('"').toString();
      }
      if (v instanceof Map<?, ?> m) {
        List<String> parts = new ArrayList<>();
        m.forEach((k, x) -> parts.add(write(String.valueOf(k)) + ":" + write(x)));
        return "{" + String.join(",", parts) + "}";
      }
      if (v instanceof List<?> l) {
        List<String> parts = new ArrayList<>();
        for (Object x : l) parts.add(write(x));
        return "[" + String.join(",", parts) + "]";
      }
      return String.valueOf(v);
    }
  }
}
