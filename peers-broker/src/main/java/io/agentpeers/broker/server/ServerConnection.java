package io.agentpeers.broker.server;

import io.agentpeers.core.PeersException;
import io.agentpeers.protocol.BrokerBusyException;
import io.agentpeers.protocol.HelloRequiredException;
import io.agentpeers.protocol.transport.ConnectionIdentity;
import io.agentpeers.protocol.transport.TransportChannel;
import io.agentpeers.protocol.wire.FramingError;
import io.agentpeers.protocol.wire.JsonRpcError;
import io.agentpeers.protocol.wire.JsonRpcResponse;
import io.agentpeers.protocol.wire.LineFramer;
import io.agentpeers.protocol.wire.Lines;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted connection as the handler sees it: who is calling, a slot for session state, and a
 * way to send lines and to close.
 *
 * <p>Thread-safe. {@link #send} never blocks: it writes at once (non-blocking) when nothing is queued,
 * otherwise it queues and the selector thread writes when the channel can take more. When a caller does not read
 * and more than {@link ConnectionServerOptions#maxOutboundBytes()} pile up, the connection is closed
 * (a slow reader never holds up the broker or other connections).
 *
 * <p>Its state machine: {@code OPEN} (lines go to the handler; reading pauses while
 * {@link ConnectionServerOptions#maxPendingLines()} wait for it) to {@code DRAINING} ({@link #closeGracefully}
 * or the caller's end of input: queued output is flushed, the output shut, and the caller given
 * {@link ConnectionServerOptions#closeLinger()} to close its end) to {@code CLOSED} (the channel closed,
 * the handler told once). The channel side of each transition runs on the selector loop's thread, in
 * the methods below; the loop only tells the connection what its channel is ready for.
 */
public final class ServerConnection {
    private static final Logger LOG = LoggerFactory.getLogger(ServerConnection.class);
    private static final int WRITE_SLICE_BYTES = 64 * 1024;
    // Per wake-up, so that one fast sender cannot starve the other connections of its loop.
    private static final int READS_PER_TURN = 16;

    enum State {
        OPEN,
        /** Closing gracefully: no more lines to the handler, queued output is flushed first. */
        DRAINING,
        CLOSED
    }

    private final long id;
    /** As admitted; for TLS replaced once by the certificate's name when the first decrypted bytes arrive. */
    private volatile ConnectionIdentity identity;

    private boolean identityFinal; // on the loop thread
    private boolean bufferedReadQueued; // on the loop thread
    private final ConnectionHandler handler;
    private final SelectorLoop loop;
    private final int maxOutboundBytes;
    private final int readPauseOutboundBytes;
    private final int maxPendingLines;
    private final int maxLineBytes;
    private final long lingerNanos;
    private final MemoryBudget inboundBudget;
    private final MemoryBudget outboundBudget;
    private volatile Object attachment;

    private final TransportChannel channel;
    private final LineFramer framer;
    private final SerialExecutor serial;
    private final AtomicInteger pendingLines = new AtomicInteger();
    private final LineFramer.Sink sink;

    private final Object lock = new Object();
    private final ArrayDeque<ByteBuffer> outbound = new ArrayDeque<>();
    private long outboundBytes;
    private boolean writeScheduled;
    private volatile State state = State.OPEN;
    private final AtomicBoolean closeNotified = new AtomicBoolean();
    /** Bytes of input held for this connection: the framer's buffer and lines not yet handled. */
    private final AtomicLong inboundHeld = new AtomicLong();

    private final AtomicBoolean shed = new AtomicBoolean();
    private final ParkedLines parked = new ParkedLines(this::outputBacklogged);

    private volatile boolean authenticated;

    // The channel's state, changed only by the transitions under "selector thread" below, on the loop's thread.
    private SelectionKey readKey;
    /** The same key as {@link #readKey} when one channel carries both directions. */
    private SelectionKey writeKey;

    private boolean inputEnded;
    private boolean outputShut;
    private boolean channelClosed;
    /** Written on the loop thread, read by workers deciding whether to ask it to resume. */
    private volatile boolean readPaused;
    /** Draining on the loop: the output is flushed then shut, and the linger runs from {@link #lingerDeadlineNanos}. */
    private boolean lingering;

    private long lingerDeadlineNanos;
    /** What the framer's buffer was last charged to the budget at. */
    private int framerCharged;

    private long helloDeadlineNanos;

    // Tiering (see ColdSelector): on the loop thread, except the two volatiles the cold thread shares.
    /** Off the loop's selector, parked on the cold one: its keys above are cancelled. */
    private boolean cold;
    /** When the loop last saw this channel ready (or took it back from the cold selector). */
    private long lastActiveNanos;
    /** Counts parkings, so that the cold thread's answer for an earlier one is recognised as stale. */
    private volatile int parking;
    /** The cold selector's key for the current parking, once it registered it. */
    private volatile SelectionKey coldKey;

    /** A connection handed to {@code handler}; {@code handler == null} marks a refused connection. */
    ServerConnection(
            long id,
            ConnectionIdentity identity,
            TransportChannel channel,
            SelectorLoop loop,
            ConnectionHandler handler,
            SerialExecutor serial,
            MemoryBudget inboundBudget,
            MemoryBudget outboundBudget,
            ConnectionServerOptions options) {
        this.id = id;
        this.identity = identity;
        this.channel = channel;
        this.loop = loop;
        this.handler = handler;
        this.serial = serial;
        this.inboundBudget = inboundBudget;
        this.outboundBudget = outboundBudget;
        this.maxOutboundBytes = options.maxOutboundBytes();
        this.readPauseOutboundBytes = options.readPauseOutboundBytes();
        this.maxPendingLines = options.maxPendingLines();
        this.maxLineBytes = options.maxLineBytes();
        this.lingerNanos = options.closeLinger().toNanos();
        this.framer = new LineFramer(Math.min(options.maxLineBytesBeforeHello(), maxLineBytes));
        this.sink = new LineFramer.Sink() {
            @Override
            public void line(String line) {
                if (answeredOnLoop(line)) {
                    return;
                }
                pendingLines.incrementAndGet();
                // Charged until handled; a string's length stands in for the bytes it holds.
                int cost = line.length();
                chargeInbound(cost);
                serial.execute(() -> deliverLine(line, cost));
            }

            @Override
            public void error(FramingError error) {
                serial.execute(() -> deliverFramingError(error));
            }
        };
    }

    /** A number unique within the server, for logs. */
    public long id() {
        return id;
    }

    /** Who is calling, as the transport identified the connection. */
    public ConnectionIdentity identity() {
        return identity;
    }

    /** The handler's session state for this connection, or {@code null}. */
    public Object attachment() {
        return attachment;
    }

    /** The session state as {@code type}, or {@code null} when none is attached. */
    public <T> T attachment(Class<T> type) {
        return type.cast(attachment);
    }

    public void attach(Object value) {
        this.attachment = value;
    }

    /**
     * The handler accepted the caller (its {@code hello} succeeded): from now on lines up to
     * {@link ConnectionServerOptions#maxLineBytes()} are read, and the hello timeout no longer applies.
     * Until then a line may hold {@link ConnectionServerOptions#maxLineBytesBeforeHello()} bytes and the
     * connection is closed after {@link ConnectionServerOptions#helloTimeout()}. Any thread; idempotent.
     */
    public void authenticated() {
        if (authenticated) {
            return;
        }
        authenticated = true;
        // The raised line limit takes effect in the read path (set before hello's reply is sent, so the
        // caller's next line meets it); the loop only stops timing the hello.
        loop.execute(() -> loop.helloDone(this));
    }

    /** The longest line read from this connection now: smaller before {@link #authenticated()}. */
    public int maxLineBytes() {
        return authenticated ? maxLineBytes : framer.maxLineBytes();
    }

    /** Whether lines can still be sent. */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /**
     * Sends one line (without its terminator); never blocks. Lines from one thread go out in order.
     *
     * @return {@code false} when the connection is closing or closed, or when this line would exceed
     *     the outbound limit, in which case the connection is closed as a slow reader
     * @throws IllegalArgumentException if the line contains a line break
     */
    public boolean send(String line) {
        return sendEncoded(Lines.encode(line));
    }

    /**
     * Sends one line already encoded as {@link Lines#encode} would: UTF-8 ending in its {@code \n}.
     * For large lines built from cached bytes; otherwise as {@link #send(String)}. The array must not
     * change afterwards.
     */
    public boolean sendEncoded(byte[] framedLine) {
        assert framedLine.length > 0 && framedLine[framedLine.length - 1] == '\n' : "a framed line ends in \\n";
        ByteBuffer buffer = ByteBuffer.wrap(framedLine);
        boolean wake = false;
        boolean overBudget = false;
        IOException writeFailed = null;
        long queued;
        synchronized (lock) {
            if (state != State.OPEN) {
                return false;
            }
            if (outbound.isEmpty() && !writeScheduled) {
                // Write-through when nothing is queued: one non-blocking write from this thread saves
                // the selector a wake-up (a round trip on a busy poll-based selector). Never blocks.
                try {
                    writeInSlices(buffer);
                } catch (IOException e) {
                    writeFailed = e;
                }
                if (writeFailed == null && !buffer.hasRemaining()) {
                    return true;
                }
            }
            queued = outboundBytes + buffer.remaining();
            if (writeFailed == null && queued <= maxOutboundBytes) {
                // Crossing the pause threshold: the loop stops reading this caller's requests.
                wake = outboundBytes <= readPauseOutboundBytes && queued > readPauseOutboundBytes;
                outbound.add(buffer);
                overBudget = setOutboundBytes(queued);
                if (!writeScheduled) {
                    writeScheduled = true;
                    wake = true;
                }
            }
        }
        if (writeFailed != null) {
            close("write failed: " + writeFailed.getMessage());
            return false;
        }
        if (queued > maxOutboundBytes) {
            LOG.warn(
                    "connection {}: slow reader, {} bytes would be queued (limit {}); closing it",
                    id,
                    queued,
                    maxOutboundBytes);
            close("slow reader");
            return false;
        }
        if (wake) {
            loop.execute(this::updateInterest);
        }
        if (overBudget) {
            closeLargestQueue();
        }
        return true;
    }

    /**
     * Closes after the lines queued so far are written: no more lines reach the handler, new
     * {@link #send}s are refused, the output is flushed and shut, and the connection closes when the
     * caller closes its end or {@link ConnectionServerOptions#closeLinger()} elapses. Idempotent.
     */
    public void closeGracefully() {
        synchronized (lock) {
            if (state != State.OPEN) {
                return;
            }
            state = State.DRAINING;
        }
        loop.execute(this::beginDrain);
    }

    /** Closes now, dropping queued output. Idempotent. */
    public void close() {
        close("closed by the broker");
    }

    void close(String reason) {
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            outbound.clear();
            setOutboundBytes(0);
        }
        loop.execute(() -> closeNow(reason));
    }

    private boolean refused() {
        return handler == null;
    }

    // ---- selector thread: the channel's state machine ----

    /** Registers both sides with the loop's selector, reading first. */
    void register() throws IOException {
        readKey = loop.register(channel.readSide(), SelectionKey.OP_READ, this);
        writeKey = channel.duplex() ? readKey : loop.register(channel.writeSide(), 0, this);
        lastActiveNanos = System.nanoTime();
    }

    SelectorLoop loop() {
        return loop;
    }

    /** The channel the cold selector watches. */
    SelectableChannel readSide() {
        return channel.readSide();
    }

    /**
     * Parks this connection on the cold selector when the loop has not seen it ready for
     * {@code idleNanos} and nothing is in flight for it on the loop (a reply queued, a paused read, a
     * close under way, input TLS holds, the hello deadline). Output sent to it later is still written
     * directly; only a write that does not fit, or a close, brings it back ({@link #updateInterest}).
     *
     * @return whether it was parked
     */
    boolean parkIfIdle(long nowNanos, long idleNanos, ColdSelector coldSelector) {
        if (cold
                || channelClosed
                || readKey == null
                || nowNanos - lastActiveNanos < idleNanos
                || !authenticated
                || refused()
                || state != State.OPEN
                || lingering
                || inputEnded
                || outputShut
                || readPaused
                || bufferedReadQueued
                || shed.get()
                || !readKey.isValid()
                || channel.hasBufferedInput()) {
            return false;
        }
        synchronized (lock) {
            if (!outbound.isEmpty() || writeScheduled) {
                return false;
            }
        }
        cold = true;
        readKey.cancel();
        writeKey.cancel();
        coldSelector.park(this, ++parking);
        return true;
    }

    /** The cold selector registered parking {@code number}; any thread but the loop's (the cold one). */
    void parkedAs(SelectionKey key, int number) {
        coldKey = key;
        // The loop may have taken the connection back meanwhile (it bumps the parking, then cancels
        // coldKey): one side or the other sees the other's write and cancels the key.
        if (parking != number) {
            key.cancel();
        }
    }

    /** The cold selector saw input (or a hang-up) for parking {@code number}: read it here. */
    void warmFromCold(int number) {
        if (!cold || number != parking || channelClosed) {
            return; // taken back already, or closed
        }
        if (!warm()) {
            return;
        }
        onReadable(loop.readBuffer(), false);
        if (!channelClosed) {
            updateInterest();
        }
    }

    /** Takes a parked connection back onto the loop's selector; false when that failed (it is closed). */
    private boolean warm() {
        cold = false;
        parking++;
        SelectionKey parked = coldKey;
        if (parked != null) {
            parked.cancel();
            coldKey = null;
        }
        loop.warmed();
        try {
            register();
        } catch (IOException | RuntimeException e) {
            closeNow("could not watch the connection again: " + e.getMessage());
            return false;
        }
        return true;
    }

    /** One selected key of this connection: write what the channel takes, read what arrived. */
    void onSelected(SelectionKey key, ByteBuffer readBuffer, long turnNanos) {
        if (channelClosed) {
            return;
        }
        lastActiveNanos = turnNanos;
        // junixsocket marks the key invalid when poll reports a hang-up (the caller closed both ways)
        // and closes the channel at the next select: read what is left now, then close.
        boolean hungUp = !key.isValid();
        int ready;
        try {
            ready = key.readyOps();
        } catch (CancelledKeyException e) {
            closeNow("closed");
            return;
        }
        if (!hungUp && key == writeKey && (ready & SelectionKey.OP_WRITE) != 0) {
            onWritable();
        }
        if (key != readKey) {
            return;
        }
        if (!channelClosed && (hungUp || (ready & SelectionKey.OP_READ) != 0)) {
            onReadable(readBuffer, hungUp);
        }
        if (hungUp) {
            closeNow("closed by the caller");
            return;
        }
        readBufferedLater();
    }

    /**
     * TLS keeps input it read from the socket but did not hand on yet (records after the one returned, or
     * beyond a turn's reads); no selector reports it, so the loop is asked to read again while reading is on.
     */
    private void readBufferedLater() {
        if (!channelClosed
                && readKey != null
                && readKey.isValid()
                && (readKey.interestOps() & SelectionKey.OP_READ) != 0
                && !bufferedReadQueued
                && channel.hasBufferedInput()) {
            bufferedReadQueued = true;
            loop.execute(() -> {
                bufferedReadQueued = false;
                if (!channelClosed && readKey.isValid() && (readKey.interestOps() & SelectionKey.OP_READ) != 0) {
                    onReadable(loop.readBuffer(), false);
                    readBufferedLater();
                }
            });
        }
    }

    /**
     * Lets the handler answer a line on this thread when nothing of this connection is queued for a
     * worker or parked, so that stream order holds. A backlogged caller is not read from at all.
     */
    private boolean answeredOnLoop(String line) {
        if (pendingLines.get() != 0 || !serial.idle()) {
            return false;
        }
        try {
            return handler.answeredOnLoop(this, line);
        } catch (RuntimeException e) {
            LOG.error("connection {}: answering on the selector thread failed; a worker takes the line", id, e);
            return false;
        }
    }

    private void onReadable(ByteBuffer readBuffer, boolean untilEnd) {
        // After a hang-up there is no later turn: read everything that is left.
        int turns = untilEnd ? Integer.MAX_VALUE : READS_PER_TURN;
        for (int i = 0; i < turns; i++) {
            readBuffer.clear();
            int count;
            try {
                count = channel.read(readBuffer);
            } catch (IOException e) {
                closeNow("read failed: " + e.getMessage());
                return;
            }
            if (count < 0) {
                onEndOfInput();
                return;
            }
            if (count == 0) {
                return;
            }
            if (!identityFinal) {
                identityFinal = true;
                // Published before the handler sees this input (the serial executor orders it).
                identity = channel.identifyAfterHandshake(identity);
            }
            readBuffer.flip();
            if (state == State.OPEN && !refused() && !loop.isStopping() && !shed.get()) {
                if (authenticated) {
                    // The one place the limit is raised: within a turn of several reads, a line sent right
                    // after hello's reply may come in before any task the worker queued has run.
                    framer.maxLineBytes(maxLineBytes);
                }
                framer.feed(readBuffer, sink);
                if (chargeFramer()) {
                    shedLargestHolder();
                }
            }
            // Otherwise the bytes are read and dropped, so that closing does not reset the caller.
            if (!untilEnd && pendingLines.get() >= maxPendingLines) {
                pauseReading();
                return;
            }
        }
    }

    private void pauseReading() {
        readPaused = true;
        // Re-check after publishing the flag: a worker may have drained the queue in between.
        if (pendingLines.get() <= maxPendingLines / 2) {
            readPaused = false;
        }
        updateInterest();
    }

    private void resumeReading() {
        if (readPaused && pendingLines.get() < maxPendingLines) {
            readPaused = false;
            updateInterest();
        }
    }

    private void onEndOfInput() {
        inputEnded = true;
        if (state == State.OPEN && !refused()) {
            // The caller is done sending: answer what it sent, then close.
            serial.execute(this::closeGracefully);
        } else if (outputShut) {
            closeNow("closed");
            return;
        }
        updateInterest();
    }

    private void onWritable() {
        try {
            writeOutbound();
        } catch (IOException e) {
            closeNow("write failed: " + e.getMessage());
            return;
        }
        updateInterest();
    }

    /** Recomputes what to wait for; finishes a graceful close once the output is flushed. */
    private void updateInterest() {
        // Something changed that the loop has to watch (output that did not fit, a close): take it back.
        if (cold && !channelClosed && !warm()) {
            return;
        }
        if (channelClosed || readKey == null || !readKey.isValid()) {
            return;
        }
        boolean pendingOutput;
        boolean backlogged;
        synchronized (lock) {
            pendingOutput = !outbound.isEmpty();
            backlogged = outboundBytes > readPauseOutboundBytes;
        }
        if (!pendingOutput && state == State.DRAINING && lingering && !outputShut) {
            outputShut = true;
            try {
                channel.shutdownOutput();
            } catch (IOException e) {
                closeNow("closed");
                return;
            }
            if (inputEnded) {
                closeNow("closed");
                return;
            }
        }
        if (!backlogged && parked.takeHandOnRequest()) {
            serial.execute(() -> parked.handOn(this::handleLine));
        }
        // A caller that does not read its replies is not read from: it cannot keep the workers busy.
        int readOps = !inputEnded && !readPaused && !backlogged ? SelectionKey.OP_READ : 0;
        int writeOps = pendingOutput && !outputShut ? SelectionKey.OP_WRITE : 0;
        if (writeKey == readKey) {
            readKey.interestOps(readOps | writeOps);
        } else {
            readKey.interestOps(readOps);
            if (writeKey.isValid()) {
                writeKey.interestOps(writeOps);
            }
        }
        readBufferedLater();
    }

    /** Starts the graceful close: flush, shut the output, then wait for the caller within the linger. */
    private void beginDrain() {
        if (channelClosed) {
            return;
        }
        lingering = true;
        lingerDeadlineNanos = System.nanoTime() + lingerNanos;
        loop.lingering(this);
        updateInterest();
    }

    /** Closes a draining connection whose caller did not close its end within the linger. */
    void closeIfLingerExpired(long nowNanos) {
        if (lingering && nowNanos - lingerDeadlineNanos >= 0) {
            closeNow(outputShut ? "closed" : "reply not read in time");
        }
    }

    /** Closes the channel now, dropping queued output; the handler hears {@code onClose} once. */
    void closeNow(String reason) {
        if (channelClosed) {
            return;
        }
        channelClosed = true;
        markClosed();
        framer.abandon();
        chargeFramer();
        loop.helloDone(this);
        if (readKey != null) {
            readKey.cancel();
            writeKey.cancel();
        }
        if (cold) {
            cold = false;
            parking++;
            SelectionKey parked = coldKey;
            if (parked != null) {
                parked.cancel();
            }
            loop.warmed();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing connection {} failed", id, e);
        }
        loop.released(this);
        if (!refused()) {
            LOG.info("connection {} closed: {}", id, reason);
        }
        notifyClosed();
    }

    /** Writes what the channel takes; true when nothing is left queued. */
    private boolean writeOutbound() throws IOException {
        synchronized (lock) {
            while (!outbound.isEmpty()) {
                ByteBuffer head = outbound.peek();
                setOutboundBytes(outboundBytes - writeInSlices(head));
                if (head.hasRemaining()) {
                    return false;
                }
                outbound.poll();
            }
            writeScheduled = false;
            return true;
        }
    }

    /**
     * Writes {@code buffer} {@value #WRITE_SLICE_BYTES} bytes at a time until the channel takes no more.
     * The channel copies a heap buffer through a direct buffer that it keeps for each writing thread,
     * as large as the largest write (junixsocket up to 1 MiB): writing whole 290 KB lines from 16
     * handler threads kept 5 MiB of such buffers.
     */
    private int writeInSlices(ByteBuffer buffer) throws IOException {
        int written = 0;
        while (buffer.hasRemaining()) {
            int slice = Math.min(buffer.remaining(), WRITE_SLICE_BYTES);
            ByteBuffer part = buffer.slice().limit(slice);
            int n = channel.write(part);
            written += n;
            buffer.position(buffer.position() + n);
            if (n < slice) {
                break;
            }
        }
        return written;
    }

    private void markClosed() {
        synchronized (lock) {
            state = State.CLOSED;
            outbound.clear();
            setOutboundBytes(0);
        }
    }

    /** Tells the handler once, after every line already queued for it. */
    private void notifyClosed() {
        if (handler == null || !closeNotified.compareAndSet(false, true)) {
            return;
        }
        serial.execute(() -> {
            try {
                dropParked();
                handler.onClose(this);
            } finally {
                loop.handlerClosed();
            }
        });
    }

    // ---- selector thread: the inbound budget and the hello deadline ----

    /** Charges the framer's buffer as it is now; true when all connections together are over inboundBudget. */
    private boolean chargeFramer() {
        int now = framer.heldBytes();
        int delta = now - framerCharged;
        framerCharged = now;
        return chargeInbound(delta);
    }

    private boolean chargeInbound(long delta) {
        long after = inboundHeld.addAndGet(delta);
        return inboundBudget.charge(this, delta, after);
    }

    /** Sets the bytes queued for output, under {@link #lock}; true when all connections together are over budget. */
    private boolean setOutboundBytes(long value) {
        long delta = value - outboundBytes;
        outboundBytes = value;
        return delta != 0 && outboundBudget.charge(this, delta, value);
    }

    /** Bytes of output queued for this connection now. */
    long outboundQueued() {
        synchronized (lock) {
            return outboundBytes;
        }
    }

    /**
     * All connections together have more output queued than the budget: close the one with the most, and the
     * next while still over. One thread at a time: workers sending to several connections at once all see the
     * budget exceeded, and each closing its own choice closed every slow reader where one made room. A thread
     * that finds another closing leaves it to that one, which looks at the budget again after it let go, so
     * an excess charged meanwhile is never left standing.
     */
    private void closeLargestQueue() {
        while (outboundBudget.overLimit()) {
            if (!outboundBudget.startShedding()) {
                return;
            }
            boolean closed;
            try {
                closed = outboundBudget.overLimit() && closeTheLargest();
            } finally {
                outboundBudget.shedDone();
            }
            if (!closed) {
                return; // nothing left to close: those still queued are being closed already
            }
        }
    }

    /** Closes the connection with the most output queued that is not being closed already; whether there was one. */
    private boolean closeTheLargest() {
        ServerConnection largest = outboundBudget.largestHolder();
        if (largest != null && largest.shed.compareAndSet(false, true)) {
            long queued = largest.outboundQueued();
            LOG.warn(
                    "connection {}: slow reader, {} bytes queued while all connections had {} (budget {}); closing it",
                    largest.id,
                    queued,
                    outboundBudget.held(),
                    outboundBudget.limit());
            largest.close("slow reader"); // its queue leaves the budget at once
            return true;
        }
        return false;
    }

    /** Bytes of input held for this connection now. */
    long inboundHeld() {
        return inboundHeld.get();
    }

    /** Whether it is being shed for the inbound inboundBudget. */
    boolean isShed() {
        return shed.get();
    }

    /** One at a time: the next is chosen once the last released what it held. */
    private void shedLargestHolder() {
        if (!inboundBudget.startShedding()) {
            return;
        }
        ServerConnection largest = inboundBudget.largestHolder();
        if (largest != null && largest.shed.compareAndSet(false, true)) {
            largest.loop.execute(largest::shedNow);
        } else {
            inboundBudget.shedDone();
        }
    }

    /** Sheds this connection for the inbound budget, on its own loop's thread. */
    private void shedNow() {
        try {
            shedInput();
        } finally {
            inboundBudget.shedDone();
        }
        // Stalled hoarders read nothing more that would check again.
        if (inboundBudget.overLimit()) {
            shedLargestHolder();
        }
    }

    private void shedInput() {
        if (channelClosed) {
            return;
        }
        long held = inboundHeld();
        framer.abandon();
        chargeFramer();
        LOG.warn(
                "connection {}: shed, it held {} bytes of unread input while all connections held {} (budget {})",
                id,
                held,
                inboundBudget.held(),
                inboundBudget.limit());
        sendError(new BrokerBusyException("the broker holds more unread input than its budget ("
                + inboundBudget.limit() + " bytes) and this connection held the most (" + held
                + " bytes); it is closed: reconnect and send complete lines"));
        closeGracefully();
    }

    /** Starts the hello deadline of a connection just opened. */
    void awaitHello(long deadlineNanos) {
        helloDeadlineNanos = deadlineNanos;
    }

    /** Closes a connection that did not authenticate in time; true when it is done waiting either way. */
    boolean closeIfHelloOverdue(long nowNanos) {
        if (authenticated || channelClosed) {
            return true;
        }
        // A line waiting for a busy worker (a hello behind a restart storm's registrations) is the
        // caller's due: the deadline is for callers that send nothing complete.
        if (nowNanos - helloDeadlineNanos < 0 || pendingLines.get() > 0) {
            return false;
        }
        LOG.info("connection {}: no hello in time; closing it", id);
        sendError(new HelloRequiredException(
                "no successful hello within the time allowed; the broker closes connections that do not say hello"));
        closeGracefully();
        return true;
    }

    /** Sends {@code error} as an error line without an id: the server's own refusals and limits. */
    void sendError(PeersException error) {
        send(JsonRpcResponse.failure(null, JsonRpcError.of(error)).toLine());
    }

    /** Closes gracefully once the lines already read are handled (so their replies go out first). */
    void closeAfterQueuedLines() {
        serial.execute(this::closeGracefully);
    }

    void notifyOpened() {
        serial.execute(() -> handler.onOpen(this));
    }

    // ---- worker threads ----

    /** Serial: to the handler, unless the caller has not read enough of its replies (then it waits). */
    private void deliverLine(String line, int cost) {
        parked.deliver(line, cost, this::handleLine);
    }

    /** Serial, before the handler hears of the close: waiting lines are dropped, their charge released. */
    private void dropParked() {
        parked.drop((line, cost) -> {
            chargeInbound(-cost);
            pendingLines.decrementAndGet();
        });
    }

    private boolean outputBacklogged() {
        synchronized (lock) {
            return outboundBytes > readPauseOutboundBytes;
        }
    }

    private void handleLine(String line, int cost) {
        try {
            handler.onLine(this, line);
        } finally {
            chargeInbound(-cost);
            int left = pendingLines.decrementAndGet();
            if (readPaused && left <= maxPendingLines / 2) {
                loop.execute(this::resumeReading);
            }
        }
    }

    private void deliverFramingError(FramingError error) {
        try {
            handler.onFramingError(this, error);
        } finally {
            if (error.closesConnection()) {
                closeGracefully();
            }
        }
    }

    @Override
    public String toString() {
        return "connection " + id
                + (identity == null ? "" : " (" + identity.transport() + ", " + identity.remote() + ")");
    }
}
