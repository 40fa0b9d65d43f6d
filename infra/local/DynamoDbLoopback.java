import java.lang.reflect.Field;

/**
 * Starts DynamoDB Local listening on 127.0.0.1 only. The jar has no host option: its Jetty server is
 * made with a port alone, which binds every interface. This launcher builds the server the way the
 * jar's own main does, sets each connector's host to the loopback address before it starts, and
 * skips the jar's telemetry. Run with the jar on the class path, as a single-file source program:
 *   java -cp DynamoDBLocal.jar DynamoDbLoopback.java -port 8000 -dbPath ... -sharedDb
 */
public class DynamoDbLoopback {
  public static void main(String[] args) throws Exception {
    Class<?> runner = Class.forName("software.amazon.dynamodb.services.local.main.ServerRunner");
    Object proxy = runner.getMethod("createServerFromCommandLineArgs", String[].class).invoke(null, (Object) args);
    Field serverField = proxy.getClass().getDeclaredField("server");
    serverField.setAccessible(true);
    Object server = serverField.get(proxy);
    Object[] connectors = (Object[]) server.getClass().getMethod("getConnectors").invoke(server);
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local made no connector");
    for (Object connector : connectors) {
      connector.getClass().getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
    }
    proxy.getClass().getMethod("start").invoke(proxy);
    System.out.println("DynamoDB Local listening on 127.0.0.1 only");
  }
}
