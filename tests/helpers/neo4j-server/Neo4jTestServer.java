import java.nio.file.Path;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.commandline.admin.security.SetInitialPasswordCommand;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import picocli.CommandLine;

/**
 * A Neo4j Community DBMS with Bolt on a loopback port and authentication on, for tests.
 *
 * <p>Usage: {@code java -cp <classpath> Neo4jTestServer.java <home> <port> <password> <ownerPid> [delaySeconds]}.
 * The admin user {@code neo4j} gets the given password with no change required before the DBMS
 * first starts, the way {@code NEO4J_AUTH} sets it in the official image ({@code neo4j-admin dbms
 * set-initial-password}): the Bolt port never opens with any other password in force.
 * {@code delaySeconds} holds the port closed that long first, to test clients that must wait for a
 * server that comes up late. Prints {@code NEO4J_TEST_SERVER_READY} once Bolt accepts connections. It shuts down cleanly on SIGTERM
 * and when the process {@code ownerPid} ends, so a test run that is killed never leaves a DBMS behind.
 */
public class Neo4jTestServer {
  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    int port = Integer.parseInt(args[1]);
    String password = args[2];
    long ownerPid = Long.parseLong(args[3]);
    long delaySeconds = args.length > 4 ? Long.parseLong(args[4]) : 0;
    ProcessHandle.of(ownerPid)
        .ifPresentOrElse(
            owner -> owner.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
    if (delaySeconds > 0) Thread.sleep(delaySeconds * 1000);

    int status =
        new CommandLine(new SetInitialPasswordCommand(new ExecutionContext(home, home.resolve("conf"))))
            .execute(password);
    if (status != 0) throw new IllegalStateException("set-initial-password exited with " + status);

    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .setConfig(GraphDatabaseSettings.auth_enabled, true)
            .setConfig(GraphDatabaseSettings.pagecache_memory, 32L * 1024 * 1024)
            .build();
    Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown));

    System.out.println("NEO4J_TEST_SERVER_READY");
    System.out.flush();
    Thread.currentThread().join();
  }
}
