import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;

/**
 * Asks a real Neo4j what it accepts. `list` prints every setting this Neo4j declares; `validate`
 * reads name=value lines and builds a Config with strict validation, as the server does at startup.
 */
public class Neo4jSettingsProbe {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("list")) {
      new TreeSet<>(Config.defaults().getDeclaredSettings().keySet()).forEach(System.out::println);
      return;
    }
    Map<String, String> raw = new HashMap<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    for (String line; (line = in.readLine()) != null; ) {
      int eq = line.indexOf('=');
      if (eq > 0) raw.put(line.substring(0, eq), line.substring(eq + 1));
    }
    try {
      Config.newBuilder().setRaw(raw).set(GraphDatabaseSettings.strict_config_validation, true).build();
      System.out.println("ACCEPTED");
    } catch (RuntimeException e) {
      System.out.println("REFUSED " + e.getMessage());
    }
  }
}
