namespace Nabla.Backends.Cpu;

/// <summary>A unit of parallel work: the pool calls <see cref="Execute"/> once for each part index.</summary>
internal interface IParallelWork
{
    void Execute(int part);
}

/// <summary>
/// One persistent pool of worker threads, sized to the cores. The calling thread takes part in
/// every parallel region, so a pool of T threads has T - 1 workers. Parts are claimed from a shared
/// counter; which thread runs a part never affects results (kernels partition data, not time).
/// A region started while another runs, or from inside a part, runs on the calling thread alone.
/// </summary>
internal sealed class WorkerPool
{
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private readonly Lock _regionLock = new();
    private IParallelWork? _work;
    private int _parts;
    private int _nextPart;
    private int _remaining;
    private int _checkedOut;
    private Exception? _error;
    private int _threads;

    [ThreadStatic] private static bool t_insideRegion;

    private WorkerPool(int size)
    {
        _threads = size;
        _workers = new Thread[size - 1];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"Nabla worker {i + 1}" };
            _workers[i].Start();
        }
    }

    /// <summary>The process-wide pool.</summary>
    public static WorkerPool Shared { get; } = new(Math.Max(1, Environment.ProcessorCount));

    /// <summary>Most threads a region uses (1 to the core count); lowering it never changes results.</summary>
    public int Threads
    {
        get => _threads;
        set
        {
            if (value < 1 || value > _workers.Length + 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"Threads: {value} is outside 1..{_workers.Length + 1} (the core count).");
            }
            _threads = value;
        }
    }

    /// <summary>Runs work.Execute(0..parts-1), in parallel when worthwhile, and returns when all are done.</summary>
    public void Run(IParallelWork work, int parts)
    {
        if (parts <= 0) return;
        if (parts == 1 || _threads == 1 || t_insideRegion || !_regionLock.TryEnter())
        {
            for (var p = 0; p < parts; p++) work.Execute(p);
            return;
        }
        try
        {
            _work = work;
            _parts = parts;
            _nextPart = 0;
            _remaining = parts;
            _checkedOut = 0;
            _error = null;
            _done.Reset();
            var released = Math.Min(_threads - 1, parts - 1);
            _start.Release(released);
            t_insideRegion = true;
            try
            {
                RunParts();
            }
            finally
            {
                t_insideRegion = false;
            }
            _done.Wait();
            // NOTE: a worker that has not woken yet must not carry this region's permit into the
            // next one; take unused permits back, then wait for every worker that woke to leave.
            var unused = 0;
            while (_start.Wait(0)) unused++;
            var spin = new SpinWait();
            while (Volatile.Read(ref _checkedOut) != released - unused) spin.SpinOnce();
            _work = null;
            if (_error is { } error) throw new AggregateException("A parallel kernel failed.", error);
        }
        finally
        {
            _regionLock.Exit();
        }
    }

    private void RunParts()
    {
        var work = _work!;
        int part;
        while ((part = Interlocked.Increment(ref _nextPart) - 1) < _parts)
        {
            try
            {
                work.Execute(part);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
            if (Interlocked.Decrement(ref _remaining) == 0) _done.Set();
        }
    }

    private void WorkerLoop()
    {
        t_insideRegion = true;
        while (true)
        {
            _start.Wait();
            RunParts();
            Interlocked.Increment(ref _checkedOut);
        }
    }
}
