using Nabla.NN;
using Nabla.Optim;

namespace Nabla.Serialization;

/// <summary>
/// Saving and loading modules and optimizers as safetensors files through their state dicts. Keys are the registered
/// names (<c>conv1.weight</c>, <c>bn.running_mean</c>), so files written from a PyTorch state_dict with the same layer
/// names load directly (see docs/pytorch-weights.md).
/// </summary>
public static class ModuleSerialization
{
    /// <summary>Writes the module's parameters and buffers to <paramref name="path"/> (float32, atomically).</summary>
    public static void Save(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        SafeTensors.Write(path, module.StateDict(), metadata);
    }

    /// <summary>
    /// Loads parameters and buffers by name from a safetensors file (any stored type is converted to float32).
    /// With <paramref name="strict"/> (the default) missing or unexpected names are an error; shapes must always
    /// match, except that a one-element tensor fills a one-element tensor of any rank (PyTorch stores counters such
    /// as <c>num_batches_tracked</c> as 0-d tensors). Nothing changes unless every check passes.
    /// Returns the names that were missing from the file and those the module does not have.
    /// </summary>
    public static (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) Load(this Module module, string path, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var state = AdaptSingletons(SafeTensors.Read(path).Tensors, module.StateDict());
        return module.LoadStateDict(state, strict);
    }

    /// <summary>Writes the optimizer's state dict (hyperparameters per group, per-parameter buffers and steps) to <paramref name="path"/>.</summary>
    public static void Save(this Optimizer optimizer, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        SafeTensors.Write(path, optimizer.StateDict(), metadata);
    }

    /// <summary>Restores an optimizer saved by <see cref="Save(Optimizer, string, IReadOnlyDictionary{string, string}?)"/>; see <see cref="Optimizer.LoadStateDict"/>.</summary>
    public static void Load(this Optimizer optimizer, string path)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.LoadStateDict(SafeTensors.Read(path).Tensors);
    }

    /// <summary>Reshapes loaded one-element tensors to the module's one-element shapes ([] and [1] are the same number).</summary>
    internal static StateDict AdaptSingletons(StateDict loaded, StateDict own)
    {
        var adapted = new StateDict();
        foreach (var (key, value) in loaded)
        {
            var fits = own.TryGetValue(key, out var target) && target.Shape != value.Shape && target.Count == 1 && value.Count == 1;
            adapted.Add(key, fits ? value.Reshape(target!.Shape.ToArray()) : value);
        }
        return adapted;
    }
}
