package dev.kbackup.testing;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A small HTTP/1.1 forwarding proxy in front of an S3 endpoint that can answer requests with S3-style errors instead
 * of forwarding them, to simulate storage failing for a while and recovering. Point {@code s3.endpoint} at
 * {@link #endpoint()}.
 *
 * <p>Forwarded requests and responses are copied byte for byte, headers included (Host too, so AWS signatures stay
 * valid), with bodies framed by Content-Length or chunked encoding; {@code Expect: 100-continue} is honoured. A
 * faked error closes its connection ({@code Connection: close}), like a real overloaded endpoint may.
 *
 * <pre>{@code
 * try (FaultInjectingProxy faults = FaultInjectingProxy.start(s3.endpoint())) {
 *     faults.failNext(3, 503);                       // three 503 SlowDown, then forward again
 *     faults.failNext(1, 500, r -> r.isUploadPart()); // only the next part upload fails
 *     faults.failAll(503); ... faults.heal();
 * }
 * }</pre>
 */
public final class FaultInjectingProxy implements AutoCloseable {

    /** The request line and headers (names in lower case) of one request the proxy received. */
    public record Request(String method, String target, Map<String, String> headers) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public boolean isUploadPart() {
            return method.equals("PUT") && target.contains("partNumber=");
        }

        public boolean isCompleteMultipartUpload() {
            return method.equals("POST") && target.contains("uploadId=");
        }

        public boolean isCreateMultipartUpload() {
            return method.equals("POST") && target.contains("?uploads");
        }

        public boolean isPutObject() {
            return method.equals("PUT") && !target.contains("partNumber=") && !target.contains("uploadId=");
        }

        @Override
        public String toString() {
            return method + " " + target;
        }
    }

    private record Fault(Predicate<Request> matches, int status, int[] remaining) {
    }

    /** A fault "status" that closes the connection without any answer, like a crashed endpoint or a reset. */
    public static final int DROP_CONNECTION = -1;

    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final ExecutorService threads = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "fault-injecting-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Deque<Fault> faults = new ArrayDeque<>(); // guarded by this
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger seen = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private volatile int failAllStatus;
    private volatile long delayMillis;

    private FaultInjectingProxy(URI upstreamEndpoint) throws IOException {
        upstream = new InetSocketAddress(upstreamEndpoint.getHost(), upstreamEndpoint.getPort());
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /** Starts a proxy on a free loopback port that forwards to {@code upstreamEndpoint} (http only). */
    public static FaultInjectingProxy start(URI upstreamEndpoint) throws IOException {
        return new FaultInjectingProxy(upstreamEndpoint);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /**
     * Answers the next {@code n} requests with {@code status} (503 SlowDown, 500 InternalError, 403, ...), or drops
     * their connections for {@link #DROP_CONNECTION}.
     */
    public void failNext(int n, int status) {
        failNext(n, status, request -> true);
    }

    /** Answers the next {@code n} requests that match {@code which} with {@code status}; others are forwarded. */
    public synchronized void failNext(int n, int status, Predicate<Request> which) {
        faults.add(new Fault(which, status, new int[] {n}));
    }

    /** Answers every request with {@code status} until {@link #heal()}. */
    public void failAll(int status) {
        failAllStatus = status;
    }

    /** Forwards everything again, promptly. */
    public synchronized void heal() {
        faults.clear();
        failAllStatus = 0;
        delayMillis = 0;
    }

    /** Holds each request this long before answering or forwarding it. */
    public void delayMillis(long millis) {
        delayMillis = millis;
    }

    public int requestsSeen() {
        return seen.get();
    }

    public int requestsFailed() {
        return failed.get();
    }

    /** Every request received so far, in arrival order. */
    public List<Request> requests() {
        return Collections.unmodifiableList(new ArrayList<>(requests));
    }

    /** Forgets the requests and counters seen so far (faults stay armed). */
    public void resetCounters() {
        requests.clear();
        seen.set(0);
        failed.set(0);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            closeQuietly(socket);
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        Socket upstreamSocket = null;
        try {
            client.setSoTimeout(120_000);
            InputStream clientIn = new BufferedInputStream(client.getInputStream(), 65536);
            OutputStream clientOut = new BufferedOutputStream(client.getOutputStream(), 65536);
            InputStream upstreamIn = null;
            OutputStream upstreamOut = null;
            while (true) {
                byte[] head = readHead(clientIn);
                if (head == null) {
                    return;
                }
                Request request = parseRequest(head);
                requests.add(request);
                seen.incrementAndGet();
                long delay = delayMillis;
                if (delay > 0) {
                    Thread.sleep(delay);
                }
                boolean expectContinue = "100-continue".equalsIgnoreCase(request.header("expect"));
                int faultStatus = faultFor(request);
                if (faultStatus != 0) {
                    failed.incrementAndGet();
                    if (faultStatus == DROP_CONNECTION) {
                        return;
                    }
                    if (!expectContinue) {
                        copyBody(request.headers(), clientIn, OutputStream.nullOutputStream());
                    }
                    clientOut.write(errorResponse(faultStatus, request));
                    clientOut.flush();
                    return; // Connection: close
                }
                if (upstreamSocket == null) {
                    upstreamSocket = new Socket();
                    open.add(upstreamSocket);
                    upstreamSocket.connect(upstream, 10_000);
                    upstreamSocket.setSoTimeout(120_000);
                    upstreamIn = new BufferedInputStream(upstreamSocket.getInputStream(), 65536);
                    upstreamOut = new BufferedOutputStream(upstreamSocket.getOutputStream(), 65536);
                }
                upstreamOut.write(head);
                Response response;
                if (expectContinue) {
                    upstreamOut.flush();
                    response = readResponse(upstreamIn);
                    if (response.status() != 100) { // refused before the body: the client will not send it
                        forwardResponse(response, request, upstreamIn, clientOut);
                        return;
                    }
                    clientOut.write(response.head());
                    clientOut.flush();
                }
                copyBody(request.headers(), clientIn, upstreamOut);
                upstreamOut.flush();
                response = readResponse(upstreamIn);
                while (response.status() >= 100 && response.status() < 200) {
                    clientOut.write(response.head());
                    response = readResponse(upstreamIn);
                }
                boolean keepAlive = forwardResponse(response, request, upstreamIn, clientOut);
                if (!keepAlive || "close".equalsIgnoreCase(request.header("connection"))) {
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // a side went away; drop both connections like a real proxy would
        } finally {
            closeQuietly(client);
            open.remove(client);
            if (upstreamSocket != null) {
                closeQuietly(upstreamSocket);
                open.remove(upstreamSocket);
            }
        }
    }

    private synchronized int faultFor(Request request) {
        if (failAllStatus != 0) {
            return failAllStatus;
        }
        for (Fault fault : faults) {
            if (fault.remaining()[0] > 0 && fault.matches().test(request)) {
                if (--fault.remaining()[0] == 0) {
                    faults.remove(fault);
                }
                return fault.status();
            }
        }
        return 0;
    }

    private record Response(int status, byte[] head, Map<String, String> headers) {
    }

    /** Copies a response's body; returns whether the connection may carry another request. */
    private static boolean forwardResponse(Response response, Request request, InputStream in, OutputStream out)
            throws IOException {
        out.write(response.head());
        int status = response.status();
        boolean keepAlive = !"close".equalsIgnoreCase(response.headers().get("connection"));
        if (request.method().equals("HEAD") || status == 204 || status == 304) {
            out.flush();
            return keepAlive;
        }
        if (!copyBody(response.headers(), in, out)) {
            in.transferTo(out); // no framing: the body ends when the upstream closes
            keepAlive = false;
        }
        out.flush();
        return keepAlive;
    }

    /** Copies a body framed by chunked encoding or Content-Length; false if it has neither. */
    private static boolean copyBody(Map<String, String> headers, InputStream in, OutputStream out)
            throws IOException {
        String transferEncoding = headers.get("transfer-encoding");
        if (transferEncoding != null && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            copyChunked(in, out);
            return true;
        }
        String length = headers.get("content-length");
        if (length != null) {
            copyExactly(in, out, Long.parseLong(length.trim()));
            return true;
        }
        return false;
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            byte[] sizeLine = readLine(in);
            out.write(sizeLine);
            String size = new String(sizeLine, StandardCharsets.ISO_8859_1).trim();
            int extension = size.indexOf(';');
            long chunk = Long.parseLong(extension < 0 ? size : size.substring(0, extension).trim(), 16);
            if (chunk == 0) {
                byte[] trailer;
                do { // trailer fields, then an empty line
                    trailer = readLine(in);
                    out.write(trailer);
                } while (trailer.length > 2);
                return;
            }
            copyExactly(in, out, chunk + 2); // data and its CRLF
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[65536];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new EOFException("Body ended " + left + " bytes early");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("Connection closed in the middle of a line");
            }
            line.write(b);
            if (previous == '\r' && b == '\n') {
                return line.toByteArray();
            }
            previous = b;
            if (line.size() > MAX_HEAD_BYTES) {
                throw new IOException("Line too long");
            }
        }
    }

    /** Reads up to and including the blank line after the headers; null at a clean end of the connection. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0; // of CR LF CR LF
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new EOFException("Connection closed in the middle of a message head");
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
            if (head.size() > MAX_HEAD_BYTES) {
                throw new IOException("Message head too long");
            }
        }
    }

    private static Request parseRequest(byte[] head) {
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        return new Request(requestLine[0], requestLine.length > 1 ? requestLine[1] : "", headers(lines));
    }

    private static Response readResponse(InputStream in) throws IOException {
        byte[] head = readHead(in);
        if (head == null) {
            throw new EOFException("Upstream closed the connection before answering");
        }
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        return new Response(status, head, headers(lines));
    }

    private static Map<String, String> headers(String[] lines) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.merge(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
        }
        return headers;
    }

    private byte[] errorResponse(int status, Request request) {
        String code = switch (status) {
            case 400 -> "BadRequest";
            case 403 -> "AccessDenied";
            case 404 -> "NoSuchKey";
            case 409 -> "ConditionalRequestConflict";
            case 412 -> "PreconditionFailed";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalError";
            case 501 -> "NotImplemented";
            case 502 -> "BadGateway";
            case 503 -> "SlowDown";
            case 504 -> "GatewayTimeout";
            default -> "InjectedFault";
        };
        String message = switch (status) {
            case 500 -> "We encountered an internal error. Please try again.";
            case 503 -> "Please reduce your request rate.";
            default -> "Injected by FaultInjectingProxy";
        };
        String requestId = "fault-" + failed.get();
        String resource = request.target().split("\\?", 2)[0];
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message + "</Message><Resource>" + resource + "</Resource><RequestId>" + requestId
                + "</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        boolean head = request.method().equals("HEAD");
        String responseHead = "HTTP/1.1 " + status + " " + code + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "Content-Length: " + (head ? 0 : body.length) + "\r\n"
                + "x-amz-request-id: " + requestId + "\r\n"
                + "Connection: close\r\n\r\n";
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        response.writeBytes(responseHead.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) {
            response.writeBytes(body);
        }
        return response.toByteArray();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
