import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Message;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * Turns Kafka messages given as JSON (Kafka's JSON converter format) into the bytes Kafka's own
 * generated message classes write, one JSONL line in, one out. With "hex" instead of "json" in a line,
 * it reads the bytes and answers Kafka's JSON of them.
 */
public class VectorTool {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Map<String, Method[]> CONVERTERS = new HashMap<>();

  public static void main(String[] args) throws Exception {
    try (BufferedReader in = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.UTF_8);
        BufferedWriter out = Files.newBufferedWriter(Paths.get(args[1]), StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode request = MAPPER.readTree(line);
        ObjectNode answer = MAPPER.createObjectNode();
        answer.set("id", request.get("id"));
        try {
          String name = request.get("message").asText();
          short version = (short) request.get("version").asInt();
          Method[] converter = converter(name);
          if (request.has("json")) {
            Message message = (Message) converter[0].invoke(null, request.get("json"), version);
            byte[] bytes = write(message, version);
            Message again = (Message) Class.forName(messageClass(name)).getConstructor().newInstance();
            again.read(new ByteBufferAccessor(ByteBuffer.wrap(bytes)), version);
            if (!Arrays.equals(bytes, write(again, version))) {
              throw new IllegalStateException("Kafka's bytes do not survive its own read and write");
            }
            answer.put("hex", HexFormat.of().formatHex(bytes));
          } else {
            Message message = (Message) Class.forName(messageClass(name)).getConstructor().newInstance();
            message.read(new ByteBufferAccessor(ByteBuffer.wrap(HexFormat.of().parseHex(request.get("hex").asText()))), version);
            answer.set("json", (JsonNode) converter[1].invoke(null, message, version));
          }
        } catch (Throwable e) {
          Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
          answer.put("error", cause.getClass().getSimpleName() + ": " + cause.getMessage());
        }
        out.write(MAPPER.writeValueAsString(answer));
        out.write('\n');
      }
    }
  }

  /** RPC messages are generated as NameData; the "data" types keep their own name. */
  private static String messageClass(String name) {
    String base = "org.apache.kafka.common.message." + name;
    try {
      Class.forName(base + "Data");
      return base + "Data";
    } catch (ClassNotFoundException e) {
      return base;
    }
  }

  private static Method[] converter(String name) throws Exception {
    Method[] found = CONVERTERS.get(name);
    if (found == null) {
      Class<?> data = Class.forName(messageClass(name));
      Class<?> conv = Class.forName(messageClass(name) + "JsonConverter");
      found = new Method[] {
        conv.getMethod("read", JsonNode.class, short.class),
        conv.getMethod("write", data, short.class),
      };
      CONVERTERS.put(name, found);
    }
    return found;
  }

  private static byte[] write(Message message, short version) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    int size = message.size(cache, version);
    ByteBuffer buffer = ByteBuffer.allocate(size);
    message.write(new ByteBufferAccessor(buffer), cache, version);
    return buffer.array();
  }
}
