// Kafka's own OAUTHBEARER code beside Brook's broker. "validate JWKS_FILE ISSUER AUDIENCE": Kafka's
// broker-side validator of signed JWTs (BrokerJwtValidator) judges each "name<TAB>token" line of
// stdin and prints "name<TAB>principal" or "name<TAB>invalid_token". "client BOOTSTRAP TOKEN_FILE
// TOPIC": Kafka's Admin logs in with OAUTHBEARER, the token read from a file
// ("unsecured:SUB" for Kafka's unsecured login) and creates a topic; it prints "created" or the
// error's class and message.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;

public class OAuthBearerCheck {
  public static void main(String[] args) throws Exception {
    // Kafka 4 reads OAuth URLs (here file: URLs) only where this allows.
    System.setProperty("org.apache.kafka.sasl.oauthbearer.allowed.urls", "file://" + args[args[0].equals("validate") ? 1 : 2]);
    if (args[0].equals("validate")) validate(args[1], args[2], args[3]);
    else client(args[1], args[2], args[3]);
  }

  static void validate(String jwksFile, String issuer, String audience) throws Exception {
    Map<String, Object> configs = new HashMap<>();
    configs.put("sasl.oauthbearer.jwks.endpoint.url", "file://" + jwksFile);
    configs.put("sasl.oauthbearer.expected.issuer", issuer);
    configs.put("sasl.oauthbearer.expected.audience", List.of(audience));
    configs.put("sasl.oauthbearer.clock.skew.seconds", 30);
    configs.put("sasl.oauthbearer.scope.claim.name", "scope");
    configs.put("sasl.oauthbearer.sub.claim.name", "sub");
    configs.put("sasl.oauthbearer.jwks.endpoint.refresh.ms", 3600000L);
    configs.put("sasl.oauthbearer.jwks.endpoint.retry.backoff.ms", 100L);
    configs.put("sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms", 10000L);
    AppConfigurationEntry entry = new AppConfigurationEntry(
        OAuthBearerLoginModule.class.getName(),
        AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
        Map.of());
    BrokerJwtValidator validator = new BrokerJwtValidator();
    validator.configure(configs, "OAUTHBEARER", List.of(entry));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] parts = line.split("\t", 2);
      String verdict;
      try {
        verdict = validator.validate(parts[1]).principalName();
      } catch (Exception e) {
        // Kafka's callback handler turns every validation failure into "invalid_token".
        verdict = "invalid_token";
      }
      System.out.println(parts[0] + "\t" + verdict);
    }
  }

  static void client(String bootstrap, String tokenFile, String topic) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", "OAUTHBEARER");
    if (tokenFile.startsWith("unsecured:")) {
      // Kafka's unsecured login: an unsigned JWT naming the given subject.
      p.put("sasl.jaas.config", OAuthBearerLoginModule.class.getName()
          + " required unsecuredLoginStringClaim_sub=\"" + tokenFile.substring(10) + "\";");
    } else {
      p.put("sasl.login.callback.handler.class",
          "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler");
      p.put("sasl.oauthbearer.token.endpoint.url", "file://" + tokenFile);
      p.put("sasl.jaas.config", OAuthBearerLoginModule.class.getName() + " required;");
    }
    p.put("request.timeout.ms", "10000");
    p.put("default.api.timeout.ms", "15000");
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      System.out.println("created");
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      System.out.println(c.getClass().getSimpleName() + ": " + c.getMessage());
    }
  }
}
