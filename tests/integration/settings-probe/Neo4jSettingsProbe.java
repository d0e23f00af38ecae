import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.dbms.MemoryRecommendation;

/**
 * Asks a real Neo4j what it accepts. `list` prints every setting this Neo4j declares; `validate`
 * reads name=value lines and builds a Config with strict validation, as the server does at startup;
 * `memory` reads memory sizes in bytes, one a line, and prints what neo4j-admin server
 * memory-recommendation would keep free, give the heap and give the page cache, in bytes.
 */
public class Neo4jSettingsProbe {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("list")) {
      new TreeSet<>(Config.defaults().getDeclaredSettings().keySet()).forEach(System.out::println);
      return;
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    if (args[0].equals("memory")) {
      for (String line; (line = in.readLine()) != null; ) {
        long total = Long.parseLong(line.trim());
        System.out.println(
            total
                + " "
                + MemoryRecommendation.recommendOsMemory(total)
                + " "
                + MemoryRecommendation.recommendHeapMemory(total)
                + " "
                + MemoryRecommendation.recommendPageCacheMemory(total));
      }
      return;
    }
    Map<String, String> raw = new HashMap<>();
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
