using System.Globalization;
using Nabla.NN;

namespace Nabla.Optim;

public abstract partial class Optimizer
{
    private const string StepKey = "step";

    /// <summary>Names of the per-parameter buffers (shaped like the parameter) this optimizer may keep, e.g. <c>exp_avg</c>.</summary>
    protected virtual IReadOnlyCollection<string> BufferNames => [];

    /// <summary>Names of the per-parameter scalars this optimizer may keep besides the step count, e.g. NAdam's <c>mu_product</c>.</summary>
    protected virtual IReadOnlyCollection<string> ScalarNames => [];

    /// <summary>
    /// The optimizer's state as named tensors, for checkpoints. Parameters are numbered across groups in
    /// order (group 0's first parameter is 0). Keys:
    /// <c>group.{g}.params</c> (the group's parameter numbers), <c>group.{g}.{option}</c> (each hyperparameter,
    /// e.g. <c>group.0.lr</c>), <c>state.{i}.step</c> and <c>state.{i}.{buffer}</c> (e.g. <c>state.3.exp_avg</c>)
    /// for parameters updated at least once. Numbers are stored as one-element tensors (step counts are exact
    /// up to 2^24, as in PyTorch). Buffers share memory with the optimizer; <see cref="StateDict.Clone"/> makes a snapshot.
    /// </summary>
    public StateDict StateDict()
    {
        var dict = new StateDict();
        var index = 0;
        for (var g = 0; g < _groups.Count; g++)
        {
            var group = _groups[g];
            var numbers = new float[group.Parameters.Count];
            for (var i = 0; i < numbers.Length; i++) numbers[i] = index++;
            dict.Add($"group.{g}.params", Tensor.FromArray(numbers));
            foreach (var (name, _) in _defaults) dict.Add($"group.{g}.{name}", Tensor.Scalar(group[name]));
        }
        for (var i = 0; i < _states.Count; i++)
        {
            if (_states[i] is not { } state) continue;
            dict.Add($"state.{i}.{StepKey}", Tensor.Scalar(state.Step));
            foreach (var (name, buffer) in state.Buffers) dict.Add($"state.{i}.{name}", buffer.Detach());
            foreach (var (name, value) in state.Scalars) dict.Add($"state.{i}.{name}", Tensor.Scalar(value));
        }
        return dict;
    }

    /// <summary>
    /// Restores hyperparameters and per-parameter state saved by <see cref="StateDict"/> from an optimizer of
    /// the same kind over parameters of the same shapes in the same groups; training then continues exactly as
    /// if it had not stopped. Everything is checked before anything changes; a mismatch throws an
    /// ArgumentException listing the problems. Group options missing from the state keep their current values.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        var options = new List<(ParamGroup Group, string Name, float Value)>();
        var loaded = new SortedDictionary<int, ParameterState>();
        var groupsSeen = new bool[_groups.Count];
        foreach (var (key, value) in state)
        {
            var parts = key.Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                problems.Add($"key '{key}' is not of the form group.<number>.<option> or state.<number>.<name>");
                continue;
            }
            var name = parts[2];
            if (parts[0] == "group") ReadGroupEntry(key, index, name, value, groupsSeen, options, problems);
            else if (parts[0] == "state") ReadStateEntry(key, index, name, value, loaded, problems);
            else problems.Add($"key '{key}' starts with neither 'group' nor 'state'");
        }
        var missing = Enumerable.Range(0, _groups.Count).Where(g => !groupsSeen[g]).ToList();
        if (missing.Count > 0) problems.Add($"the state has no entry group.<g>.params for group(s) {string.Join(", ", missing)} of this optimizer's {_groups.Count}");
        if (problems.Count > 0)
        {
            throw new ArgumentException($"{Name}.LoadStateDict: the state does not match this optimizer: {string.Join("; ", problems)}.", nameof(state));
        }
        foreach (var (group, name, value) in options) group[name] = value;
        for (var i = 0; i < _states.Count; i++) _states[i] = loaded.GetValueOrDefault(i);
    }

    private void ReadGroupEntry(string key, int g, string name, Tensor value, bool[] groupsSeen, List<(ParamGroup, string, float)> options, List<string> problems)
    {
        if (g >= _groups.Count)
        {
            problems.Add($"'{key}' refers to parameter group {g} but this optimizer has {_groups.Count} group(s)");
            return;
        }
        if (name == "params")
        {
            groupsSeen[g] = true;
            var first = _groups.Take(g).Sum(x => x.Parameters.Count);
            var expected = Enumerable.Range(first, _groups[g].Parameters.Count).Select(i => (float)i);
            if (value.Rank != 1 || !value.ToArray().SequenceEqual(expected))
            {
                problems.Add($"group {g} holds parameters [{string.Join(", ", value.ToArray())}] in the state but [{string.Join(", ", expected)}] here");
            }
            return;
        }
        if (!_defaults.Any(d => d.Name == name))
        {
            problems.Add($"unknown option '{key}' ({Name}'s options are {string.Join(", ", _defaults.Select(d => d.Name))})");
            return;
        }
        if (value.Count != 1)
        {
            problems.Add($"'{key}' should hold one number but has shape {value.Shape}");
            return;
        }
        options.Add((_groups[g], name, value.Item()));
    }

    private void ReadStateEntry(string key, int i, string name, Tensor value, SortedDictionary<int, ParameterState> loaded, List<string> problems)
    {
        if (i >= _parameters.Count)
        {
            problems.Add($"'{key}' refers to parameter {i} but this optimizer has {_parameters.Count} parameter(s)");
            return;
        }
        if (!loaded.TryGetValue(i, out var target)) loaded.Add(i, target = new ParameterState());
        if (BufferNames.Contains(name))
        {
            if (value.Shape != _parameters[i].Shape) problems.Add($"'{key}' has shape {value.Shape} but parameter {i} has shape {_parameters[i].Shape}");
            else target.LoadBuffer(name, value);
            return;
        }
        var isStep = name == StepKey;
        if (!isStep && !ScalarNames.Contains(name))
        {
            var known = BufferNames.Concat(ScalarNames).Prepend(StepKey);
            problems.Add($"unknown state '{key}' ({Name} keeps {string.Join(", ", known)} per parameter)");
            return;
        }
        if (value.Count != 1)
        {
            problems.Add($"'{key}' should hold one number but has shape {value.Shape}");
            return;
        }
        var number = value.Item();
        if (!isStep) target.SetScalar(name, number);
        else if (number >= 0f && number == MathF.Floor(number)) target.Step = (long)number;
        else problems.Add($"'{key}' should be a whole number >= 0 but is {number}");
    }
}
