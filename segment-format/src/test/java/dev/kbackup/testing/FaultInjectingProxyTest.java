package dev.kbackup.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The proxy forwards bodies and headers byte for byte, however they are framed, and fakes errors on demand. */
class FaultInjectingProxyTest {

    private HttpServer echo;
    private FaultInjectingProxy proxy;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws IOException {
        // echoes the request body; a chunked response unless the request asks for a fixed length
        echo = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        echo.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("ETag", "\"echo\"");
            exchange.getResponseHeaders().add("X-Seen-Host", exchange.getRequestHeaders().getFirst("Host"));
            boolean fixed = exchange.getRequestURI().getQuery() != null;
            exchange.sendResponseHeaders(200, fixed ? (body.length == 0 ? -1 : body.length) : 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        echo.start();
        proxy = FaultInjectingProxy.start(URI.create("http://127.0.0.1:" + echo.getAddress().getPort()));
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.stop(0);
    }

    @Test
    void forwardsChunkedAndFixedLengthBodiesByteForByte() throws Exception {
        byte[] body = new byte[6 * 1024 * 1024 + 7];
        new Random(1).nextBytes(body);

        HttpResponse<byte[]> chunked = client.send(HttpRequest.newBuilder(proxy.endpoint().resolve("/chunked"))
                .PUT(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                BodyHandlers.ofByteArray());
        assertEquals(200, chunked.statusCode());
        assertArrayEquals(body, chunked.body());
        assertEquals("\"echo\"", chunked.headers().firstValue("ETag").orElseThrow());
        assertEquals("chunked", proxy.requests().get(0).header("Transfer-Encoding"));

        HttpResponse<byte[]> fixed = client.send(HttpRequest.newBuilder(proxy.endpoint().resolve("/fixed?len"))
                .expectContinue(true).PUT(BodyPublishers.ofByteArray(body)).build(), BodyHandlers.ofByteArray());
        assertArrayEquals(body, fixed.body());
        assertEquals(String.valueOf(body.length), fixed.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(proxy.endpoint().getAuthority(), fixed.headers().firstValue("X-Seen-Host").orElseThrow(),
                "the Host header reaches the upstream unchanged");
        assertEquals(2, proxy.requestsSeen());
    }

    @Test
    void answersWithS3StyleErrorsUntilHealed() throws Exception {
        proxy.failNext(2, 503);
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> failed = client.send(HttpRequest.newBuilder(proxy.endpoint().resolve("/b/k"))
                    .PUT(BodyPublishers.ofString("lost")).build(), BodyHandlers.ofString());
            assertEquals(503, failed.statusCode());
            assertTrue(failed.body().contains("<Code>SlowDown</Code>"), failed.body());
            assertTrue(failed.body().contains("<Resource>/b/k</Resource>"), failed.body());
        }
        assertEquals("kept", send("/b/k", "kept"));

        proxy.failAll(500);
        HttpResponse<String> failing = client.send(HttpRequest.newBuilder(proxy.endpoint().resolve("/x"))
                .POST(BodyPublishers.ofString("x")).build(), BodyHandlers.ofString());
        assertEquals(500, failing.statusCode());
        assertTrue(failing.body().contains("<Code>InternalError</Code>"), failing.body());
        proxy.heal();
        assertEquals("back", send("/x", "back"));

        assertEquals(3, proxy.requestsFailed());
        assertEquals(5, proxy.requestsSeen());
        assertEquals(List.of("PUT /b/k", "PUT /b/k", "PUT /b/k", "POST /x", "PUT /x"),
                proxy.requests().stream().map(Object::toString).toList());
    }

    @Test
    void failsOnlyMatchingRequestsAndCanDelay() throws Exception {
        proxy.failNext(1, 429, request -> request.target().startsWith("/only"));
        assertEquals("other", send("/other", "other"));
        HttpResponse<InputStream> throttled = client.send(HttpRequest.newBuilder(proxy.endpoint().resolve("/only"))
                .PUT(BodyPublishers.ofString("x")).build(), BodyHandlers.ofInputStream());
        assertEquals(429, throttled.statusCode());
        throttled.body().close();

        proxy.delayMillis(300);
        long started = System.nanoTime();
        assertEquals("slow", send("/only", "slow"));
        assertTrue(System.nanoTime() - started >= 300_000_000L, "delayed");
    }

    private String send(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(proxy.endpoint().resolve(path)).PUT(BodyPublishers.ofString(body))
                .build(), BodyHandlers.ofString()).body();
    }
}
