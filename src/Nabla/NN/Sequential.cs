namespace Nabla.NN;

/// <summary>Layers applied one after another: the output of each is the input of the next. Children are named "0", "1", ...</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>Adds a layer at the end, named by its position.</summary>
    public Sequential Append(Module layer)
    {
        _layers.Add(Add(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
        return this;
    }

    public int Count => _layers.Count;

    public Module this[int index] => _layers[index];

    protected override Tensor Compute(Tensor input)
    {
        var x = input;
        for (var i = 0; i < _layers.Count; i++)
        {
            if (_layers[i] is Relu relu && i + 1 < _layers.Count && _layers[i + 1] is MaxPool2d pool && ForwardObserver.Current is null)
            {
                // max(relu(v)) = relu(max(v)), and the gradients agree too: the window's arg-max only moves where every
                // value is ≤ 0, where ReLU's gradient is 0 either way. Pooling first runs ReLU on the pooled values only
                // (a quarter of them for 2×2 windows).
                x = relu.Forward(pool.Forward(x));
                i++;
                continue;
            }
            x = _layers[i].Forward(x);
        }
        return x;
    }
}

/// <summary>
/// A list of modules registered as children (named "0", "1", ...), for models whose forward pass
/// loops over layers in its own way. It has no forward pass of its own.
/// </summary>
public sealed class ModuleList : Module
{
    private readonly List<Module> _modules = [];

    public ModuleList(params Module[] modules)
    {
        foreach (var module in modules) Append(module);
    }

    public ModuleList Append(Module module)
    {
        _modules.Add(Add(_modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module));
        return this;
    }

    public int Count => _modules.Count;

    public Module this[int index] => _modules[index];

    public IEnumerator<Module> GetEnumerator() => _modules.GetEnumerator();

    protected override Tensor Compute(Tensor input) =>
        throw new NotSupportedException("ModuleList holds modules but has no forward pass; call its modules from the owning module's Compute.");
}
