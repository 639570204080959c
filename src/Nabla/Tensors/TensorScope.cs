namespace Nabla;

/// <summary>
/// Reuses tensor memory across iterations of a loop: buffers of tensors created inside the scope go
/// back to a pool when it ends, except for tensors passed to <see cref="Keep"/> (and gradients
/// accumulated into leaves, which are kept automatically). A tensor used after its scope ended throws
/// instead of reading reused memory. Scopes nest; kept tensors move to the enclosing scope.
/// <code>
/// for (var step = 0; step &lt; steps; step++)
/// {
///     using var scope = TensorScope.Begin();
///     var loss = Loss(model(x), y);
///     loss.Backward();
///     optimizer.Step();
///     lastLoss = loss.Item();          // a number escapes freely; a tensor needs scope.Keep(loss)
/// }
/// </code>
/// Code that never opens a scope is still correct; its buffers are simply left to the garbage collector.
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? t_current;

    private readonly List<Storage> _owned = [];
    private readonly TensorScope? _parent;
    private readonly Thread _thread;
    private bool _disposed;

    private TensorScope(TensorScope? parent)
    {
        _parent = parent;
        _thread = Thread.CurrentThread;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    internal static TensorScope? Current => t_current;

    /// <summary>Opens a scope on the current thread; dispose it (with <c>using</c>) to release its tensors.</summary>
    public static TensorScope Begin()
    {
        var scope = new TensorScope(t_current);
        t_current = scope;
        return scope;
    }

    internal void Track(Storage storage) => _owned.Add(storage);

    /// <summary>Keeps a tensor (and every view sharing its memory) alive past this scope; returns it.</summary>
    public Tensor Keep(Tensor tensor)
    {
        var storage = tensor.Storage;
        if (storage.Scope == this) Adopt(storage, _parent);
        return tensor;
    }

    /// <summary>
    /// Hands a tensor made outside any scope (e.g. a batch gathered on a loader's worker thread) to the current
    /// scope, so its buffer returns to the pool when the scope ends. Tensors that already belong to a scope, or
    /// wrap caller-provided arrays, are left alone.
    /// </summary>
    internal static void AdoptIntoCurrent(Tensor tensor)
    {
        var storage = tensor.Storage;
        if (storage.Scope is null && storage.IsPooled && t_current is { } scope) Adopt(storage, scope);
    }

    /// <summary>Detaches a storage from whatever scope owns it (used for gradients stored in leaves).</summary>
    internal static void Persist(Storage storage)
    {
        if (storage.Scope is { } owner) Adopt(storage, null);
    }

    private static void Adopt(Storage storage, TensorScope? newOwner)
    {
        storage.Scope = newOwner;
        newOwner?.Track(storage);
    }

    /// <summary>Releases every tensor created in the scope that was not kept.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (Thread.CurrentThread != _thread)
        {
            throw new InvalidOperationException("TensorScope: a scope must be disposed on the thread that began it.");
        }
        if (t_current != this)
        {
            throw new InvalidOperationException("TensorScope: scopes must end in the reverse order they began; an inner scope is still open.");
        }
        _disposed = true;
        t_current = _parent;
        foreach (var storage in _owned)
        {
            if (storage.Scope == this) storage.Release();
        }
        _owned.Clear();
    }
}
