using System;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace FixedShapeLoss;

/// <summary>
/// How the kernels of large shapes use the cores: above <see cref="MinParallelLength"/> elements the cross-entropy
/// losses (every overload), their gradients, <c>Softmax</c> and <c>LogSoftmax</c> cut the rows into blocks fixed
/// by the shape and run them on the .NET thread pool, the calling thread taking blocks too.
/// </summary>
/// <remarks>
/// <para>Deterministic: the blocks depend only on the shape (Batch and Classes), never on the number of workers,
/// and each block's partial sums are combined in block order on the calling thread, so a loss and a gradient are
/// bit-identical whatever <see cref="MaxDegreeOfParallelism"/> is, 1 included (one worker runs the same blocks one
/// after the other).</para>
/// <para>Allocation-free per call: each calling thread owns one reusable job and a few reusable work items, queued
/// with <see cref="ThreadPool.UnsafeQueueUserWorkItem(IThreadPoolWorkItem, bool)"/>; the spans are pinned by the
/// caller, which does not return before every block it handed out is finished. The caller never waits for a worker
/// that has not started: it takes the remaining blocks itself, so a busy thread pool costs at most the single-thread
/// time plus one queueing.</para>
/// </remarks>
public static class KernelThreading
{
    /// <summary>The least <c>Batch * Classes</c> whose kernels are cut into blocks (2^17 = 131,072 elements: two
    /// workers of <see cref="MinWorkerLength"/>). Below it every kernel runs on the calling thread as one loop over
    /// the rows, exactly as without this class; the generated code of such a shape does not even branch on it.</summary>
    public const int MinParallelLength = 2 * MinWorkerLength;

    /// <summary>The least work, in elements, a worker gets: a call uses at most <c>Batch * Classes / MinWorkerLength</c>
    /// workers (2^16 = 65,536 elements, 20 to 50 µs of a forward pass at 0.3 to 0.8 ns per element, against 0.5 to 1 µs
    /// to hand a work item to a running pool thread: the handoff stays under 5%).</summary>
    public const int MinWorkerLength = 1 << 16;

    /// <summary>The elements a block aims at (2^13 = 8,192, 32 KiB of float, 2.5 to 4 µs of a forward pass): a block is
    /// <c>ceil(BlockLength / Classes)</c> whole rows (a multiple of 8 rows when Classes &lt;= 16, the row groups of
    /// the lanes = rows layouts), and never more than <see cref="MaxBlocks"/> blocks. The last claims of a call are
    /// single blocks, so threads of the same speed finish about one block apart, and smaller blocks waste less at the
    /// end of a call (2^14 before stop 11: 256 x 1000 forward on 2 cores 0.57 of the one-thread time, 2^13: 0.53,
    /// BenchmarkDotNet, Zen 4); 2^12 in stop 16 was 0.9% slower on one thread (a first-row pass per block) and no
    /// faster on two (console loop).</summary>
    public const int BlockLength = 1 << 13;

    /// <summary>The most blocks a matrix is cut into (their partial sums live on the caller's stack).</summary>
    public const int MaxBlocks = 256;

    /// <summary>How long, in microseconds, a worker that ran out of blocks keeps spinning for the next call of the same
    /// caller before it returns to the thread pool.</summary>
    internal const int WorkerSpinMicroseconds = 50;

    private static readonly long s_workerSpinTicks = System.Diagnostics.Stopwatch.Frequency * WorkerSpinMicroseconds / 1_000_000;

    private static int s_maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>The most threads (the caller included) one kernel call runs on; process-wide, default
    /// <see cref="Environment.ProcessorCount"/>. 1 turns the thread pool off: every block runs on the calling thread
    /// (with the same blocks, so the same bits). Values above the processor count are accepted (tests use them) but
    /// only add switching. A call uses at most as many workers as it has blocks and <c>Length / MinWorkerLength</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxDegreeOfParallelism
    {
        get => Volatile.Read(ref s_maxDegreeOfParallelism);
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MaxDegreeOfParallelism must be at least 1 (1 runs every kernel on the calling thread).");
            }

            Volatile.Write(ref s_maxDegreeOfParallelism, value);
        }
    }

    /// <summary>Whether a <paramref name="batch"/> x <paramref name="classes"/> matrix is cut into blocks: a function of
    /// the shape alone (then into at least 2 blocks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsBlocked(int batch, int classes) => (long)batch * classes >= MinParallelLength && batch >= 2;

    /// <summary>Rows per block of a blocked <paramref name="batch"/> x <paramref name="classes"/> matrix.</summary>
    internal static int RowsPerBlock(int batch, int classes)
    {
        int rows = (BlockLength + classes - 1) / classes;
        if (classes <= KernelMath.TinyMaxClasses)
        {
            rows = (rows + 7) & ~7;
        }

        int fewest = (batch + MaxBlocks - 1) / MaxBlocks;
        return Math.Max(rows, fewest);
    }

    /// <summary>Runs <paramref name="body"/> over the rows of a matrix (one block when <see cref="IsBlocked"/> is false): block <c>b</c> is rows
    /// <c>[b * rowsPerBlock, min(batch, (b + 1) * rowsPerBlock))</c> and leaves two partial sums; returns their totals,
    /// each added in block order with a compensated sum. <paramref name="body"/> must be a local of the caller (its
    /// address goes to the workers) and must not throw (inputs are checked before).</summary>
    internal static unsafe double Run<TBody>(ref TBody body, int batch, int classes, out double second)
        where TBody : unmanaged, IRowBlock
    {
        int rowsPerBlock = IsBlocked(batch, classes) ? RowsPerBlock(batch, classes) : Math.Max(batch, 1);
        int blocks = (batch + rowsPerBlock - 1) / rowsPerBlock;
        double* partials = stackalloc double[2 * blocks];
        int workers = (int)Math.Min(Math.Min(MaxDegreeOfParallelism, blocks), (long)batch * classes / MinWorkerLength);
        if (workers <= 1)
        {
            for (int b = 0; b < blocks; b++)
            {
                int first = b * rowsPerBlock;
                body.Run(first, Math.Min(batch, first + rowsPerBlock), partials + 2 * b);
            }
        }
        else
        {
            Job.ForThisThread().Run(&RunBlock<TBody>, Unsafe.AsPointer(ref body), batch, rowsPerBlock, blocks, partials, workers - 1);
        }

        var firstTotal = default(CompensatedSum);
        var secondTotal = default(CompensatedSum);
        for (int b = 0; b < blocks; b++)
        {
            firstTotal.Add(partials[2 * b]);
            secondTotal.Add(partials[2 * b + 1]);
        }

        second = secondTotal.Value;
        return firstTotal.Value;
    }

    private static unsafe void RunBlock<TBody>(void* body, int first, int end, double* partials)
        where TBody : unmanaged, IRowBlock =>
        ((TBody*)body)->Run(first, end, partials);

    /// <summary>One caller thread's reusable job. <see cref="Counters.State"/>: <c>(back &lt;&lt; 32) | front</c> in one
    /// long, the unclaimed blocks being <c>[front, back)</c>: the caller claims runs of blocks from the front, the
    /// workers from the back (a compare-and-swap, <see cref="TryRunClaim"/>), so from call to call each thread runs
    /// about the same rows and finds them, and the gradient lines it writes, in its own cache. A claim sees the bounds
    /// of the call it claims in; a work item still queued (or spinning) from an earlier call either claims blocks of
    /// the current call (then every field it reads was written before the call was published) or finds nothing left.</summary>
    private sealed unsafe class Job
    {
        // dotnet/runtime names thread-static fields t_; .editorconfig cannot tell them from other static fields.
#pragma warning disable IDE1006
        [ThreadStatic]
        private static Job? t_job;
#pragma warning restore IDE1006

        private readonly ManualResetEventSlim _done = new(false);
        private Worker[] _workers = [];
        private Counters _counters;
        private int _threads;
        private delegate*<void*, int, int, double*, void> _run;
        private void* _body;
        private double* _partials;
        private int _batch;
        private int _rowsPerBlock;
        private ExceptionDispatchInfo? _error;

        public static Job ForThisThread() => t_job ??= new Job();

        public void Run(delegate*<void*, int, int, double*, void> run, void* body, int batch, int rowsPerBlock, int blocks, double* partials, int helpers)
        {
            if (_workers.Length < helpers)
            {
                var grown = new Worker[helpers];
                _workers.CopyTo(grown, 0);
                for (int k = _workers.Length; k < helpers; k++)
                {
                    grown[k] = new Worker(this);
                }

                _workers = grown;
            }

            _run = run;
            _body = body;
            _batch = batch;
            _rowsPerBlock = rowsPerBlock;
            _partials = partials;
            _error = null;
            _threads = helpers + 1;
            _counters.Remaining = blocks;
            _done.Reset();
            Volatile.Write(ref _counters.State, (long)blocks << 32); // publishes the fields above
            for (int k = 0; k < helpers; k++)
            {
                var worker = _workers[k];
                if (Interlocked.Exchange(ref worker.Queued, 1) == 0)
                {
                    ThreadPool.UnsafeQueueUserWorkItem(worker, preferLocal: false);
                }
            }

            while (TryRunClaim(fromBack: false))
            {
            }

            WaitForBlocks();
            _error?.Throw();
        }

        /// <summary>Claims a run of unclaimed blocks at the front or the back of the current call and runs them; false
        /// when every block is claimed. A claim takes a quarter of the unclaimed blocks per thread, at least one (guided
        /// self-scheduling: few claims at the start, single blocks once fewer than 4 per thread are left, so threads of
        /// the same speed end about one block apart, as with single claims); each claim is a compare-and-swap on a line
        /// the other threads write too. 256 x 1000 on 2 threads: about 12 claims instead of 29.</summary>
        public bool TryRunClaim(bool fromBack)
        {
            int claimed, count;
            while (true)
            {
                long state = Volatile.Read(ref _counters.State);
                int front = (int)(state & 0xFFFFFFFF);
                int back = (int)(state >> 32);
                if (front >= back)
                {
                    return false;
                }

                count = Math.Max(1, (back - front) / (2 * _threads));
                claimed = fromBack ? back - count : front;
                long next = fromBack ? ((long)(back - count) << 32) | (uint)front : ((long)back << 32) | (uint)(front + count);
                if (Interlocked.CompareExchange(ref _counters.State, next, state) == state)
                {
                    break;
                }
            }

            try
            {
                for (int b = claimed; b < claimed + count; b++)
                {
                    int first = b * _rowsPerBlock;
                    _run(_body, first, Math.Min(_batch, first + _rowsPerBlock), _partials + 2 * b);
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, ExceptionDispatchInfo.Capture(e), null);
            }

            if (Interlocked.Add(ref _counters.Remaining, -count) == 0)
            {
                _done.Set();
            }

            return true;
        }

        /// <summary>Spins for up to <see cref="WorkerSpinMicroseconds"/> until the next call of the same caller publishes blocks
        /// (true) or the time is up (false). Back-to-back calls (a forward then its backward, a training loop) then find
        /// the worker running instead of paying a thread-pool wake-up each (measured 10-15 µs on the 2-core Zen 4 VM of
        /// stop 11, a third of a 256 x 1000 call's half). It yields the core now and then, so an oversubscribed
        /// machine is not starved; OpenMP, which libtorch uses, spins up to 200 ms by default.</summary>
        public bool AwaitNextCall()
        {
            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + s_workerSpinTicks;
            for (int k = 1; !HasWork; k++)
            {
                // A short pause per look, not SpinWait's growing back-off (whose later steps are microseconds long:
                // the worker then joined a call late by about that much). A yield every 256 looks.
                Thread.SpinWait(1);
                if ((k & 255) == 0)
                {
                    if (System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
                    {
                        return false;
                    }

                    Thread.Yield();
                }
            }

            return true;
        }

        /// <summary>Whether a block of the current call is still unclaimed.</summary>
        public bool HasWork
        {
            get
            {
                long state = Volatile.Read(ref _counters.State);
                return (int)(state & 0xFFFFFFFF) < (int)(state >> 32);
            }
        }

        /// <summary>Waits until every block is finished (the blocks the workers claimed may still run): spins first,
        /// then sleeps on the event. A late Set from an earlier call only costs one more look.</summary>
        private void WaitForBlocks()
        {
            // A block runs for microseconds: a short pause per look for up to WorkerSpinMicroseconds (SpinWait's
            // growing back-off, used before stop 11, went to sleep after about ten looks, and waking the caller
            // again cost 10-15 µs in the project's VM, more than a block of 8 x 32000). Usually the blocks are done
            // already: no clock read then.
            if (Volatile.Read(ref _counters.Remaining) == 0)
            {
                return;
            }

            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + s_workerSpinTicks;
            for (int k = 1; Volatile.Read(ref _counters.Remaining) != 0; k++)
            {
                Thread.SpinWait(1);
                if ((k & 255) == 0 && System.Diagnostics.Stopwatch.GetTimestamp() > deadline)
                {
                    break;
                }
            }

            while (Volatile.Read(ref _counters.Remaining) != 0)
            {
                _done.Wait();
                _done.Reset();
            }
        }
    }

    /// <summary>The two words every thread of a call writes, each on a cache line of its own (64 bytes apart and from
    /// the job's other fields, which the threads only read), so a claim does not take the read-only fields' line away
    /// from the other thread.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Explicit, Size = 192)]
    private struct Counters
    {
        /// <summary><c>(back &lt;&lt; 32) | front</c>: the unclaimed blocks are <c>[front, back)</c>.</summary>
        [System.Runtime.InteropServices.FieldOffset(64)]
        public long State;

        /// <summary>The blocks of the current call not yet finished.</summary>
        [System.Runtime.InteropServices.FieldOffset(128)]
        public int Remaining;
    }

    /// <summary>A reusable thread-pool work item of one job: takes blocks until none is left. <see cref="Queued"/> is
    /// 1 from its queueing until it has given up, so the caller never queues it twice.</summary>
    private sealed class Worker(Job job) : IThreadPoolWorkItem
    {
        public int Queued;

        public void Execute()
        {
            while (true)
            {
                while (job.TryRunClaim(fromBack: true))
                {
                }

                if (job.AwaitNextCall())
                {
                    continue; // still queued: the caller saw Queued = 1 and did not queue this item again
                }

                Volatile.Write(ref Queued, 0);
                if (!job.HasWork || Interlocked.Exchange(ref Queued, 1) != 0)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>The work of one block of rows, as a struct of pointers and scalars that a worker reaches through its
/// address (the caller keeps it on its stack until every block is done).</summary>
internal unsafe interface IRowBlock
{
    /// <summary>Rows <c>[first, end)</c>; writes the block's two partial sums (0 when unused) at <paramref name="partials"/>.</summary>
    void Run(int first, int end, double* partials);
}
