package org.creditgraph.neo4j;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.kernel.internal.Version;

/**
 * Embeds Neo4j Community with a Bolt connector on a loopback address.
 *
 * <p>Arguments are {@code --key=value} pairs: {@code data-dir}, {@code host}, {@code port},
 * {@code pagecache} (e.g. {@code 512m}), {@code tx-memory}. The initial password is the first
 * line of standard input, so that it never shows in {@code ps} or the environment.
 *
 * <p>Once Bolt listens, one line {@code READY <host>:<port> <version>} is printed; the Python
 * side waits for Bolt itself, the line is for humans reading the log. SIGTERM shuts the
 * database down cleanly through the shutdown hook.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = parse(argv);
        Path dataDir = Path.of(args.getOrDefault("data-dir", "neo4j-data")).toAbsolutePath();
        String host = args.getOrDefault("host", "127.0.0.1");
        int port = Integer.parseInt(args.getOrDefault("port", "7687"));
        String password = new BufferedReader(
                new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (password == null || password.length() < 8) {
            System.err.println("ERROR the initial password (first line of stdin) must have 8 characters or more");
            System.exit(2);
        }
        Files.createDirectories(dataDir);

        // Raw settings go through a generated neo4j.conf (the builder has no raw-string setter);
        // the file also shows operators exactly what the embedded server runs with.
        Path conf = dataDir.resolve("neo4j.conf");
        Files.writeString(conf, String.join("\n",
                "# Written by the credit-graph launcher at every start; edits are overwritten.",
                // Usage reporting off: the service runs on closed networks and must not phone home.
                "dbms.usage_report.enabled=false",
                // Explicit memory: Neo4j's defaults take half the machine's RAM.
                "server.memory.pagecache.size=" + args.getOrDefault("pagecache", "512m"),
                "db.memory.transaction.total.max=" + args.getOrDefault("tx-memory", "1g"),
                "db.logs.query.enabled=OFF",
                ""));

        DatabaseManagementService service = new DatabaseManagementServiceBuilder(dataDir)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .loadPropertiesFromFile(conf)
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("STOPPING");
            service.shutdown();
            stopped.countDown();
        }));

        setInitialPassword(service, dataDir, password);
        System.out.println("READY " + host + ":" + port + " " + Version.getNeo4jVersion());
        System.out.flush();
        stopped.await();
    }

    /** Sets the password of user neo4j once, at first start; later starts keep what is there. */
    private static void setInitialPassword(DatabaseManagementService service, Path dataDir, String password)
            throws Exception {
        Path marker = dataDir.resolve(".password-set");
        if (Files.exists(marker)) {
            return;
        }
        GraphDatabaseService system = service.database("system");
        system.executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
        Files.writeString(marker, "password set at first start\n");
    }

    private static Map<String, String> parse(String[] argv) {
        Map<String, String> args = new HashMap<>();
        for (String arg : argv) {
            if (!arg.startsWith("--") || !arg.contains("=")) {
                throw new IllegalArgumentException("expected --key=value, got " + arg);
            }
            int eq = arg.indexOf('=');
            args.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return args;
    }
}
