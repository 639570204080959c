using System.Collections;
using System.Globalization;

namespace Nabla.Training.Tuning;

/// <summary>
/// One point of a <see cref="SearchSpace"/>: named hyperparameter values, read back typed
/// (<c>config.Get&lt;float&gt;("lr")</c>, <see cref="GetInt"/>, <see cref="GetString"/>). Numbers convert between
/// types (a sampled double reads as a float); a non-whole number does not read as an integer.
/// Two configurations are equal when they hold the same names and values.
/// </summary>
public sealed class Configuration : IReadOnlyDictionary<string, object>, IEquatable<Configuration>
{
    private readonly List<KeyValuePair<string, object>> _items;
    private readonly Dictionary<string, object> _byName;

    public Configuration(IEnumerable<KeyValuePair<string, object>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _items = [.. values];
        _byName = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in _items)
        {
            ArgumentNullException.ThrowIfNull(value, name);
            if (!_byName.TryAdd(name, value)) throw new ArgumentException($"Configuration: the name '{name}' appears twice.");
        }
        Key = string.Join(", ", _items.Select(kv => $"{kv.Key}={Invariant(kv.Value, "R")}"));
    }

    /// <summary>A configuration from (name, value) pairs: <c>Configuration.Of(("lr", 0.01), ("activation", "relu"))</c>.</summary>
    public static Configuration Of(params (string Name, object Value)[] values) =>
        new(values.Select(v => KeyValuePair.Create(v.Name, v.Value)));

    /// <summary>A canonical text of the names and exact values, in order (the basis of equality).</summary>
    public string Key { get; }

    public object this[string key] => _byName.TryGetValue(key, out var value) ? value
        : throw new KeyNotFoundException($"Configuration: no hyperparameter '{key}'; it has {Names()}.");

    public IEnumerable<string> Keys => _items.Select(kv => kv.Key);
    public IEnumerable<object> Values => _items.Select(kv => kv.Value);
    public int Count => _items.Count;
    public bool ContainsKey(string key) => _byName.ContainsKey(key);
    public bool TryGetValue(string key, out object value) => _byName.TryGetValue(key, out value!);
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The value of <paramref name="name"/> as <typeparamref name="T"/> (numbers and strings convert; see the class summary).</summary>
    public T Get<T>(string name) => Convert<T>(name, this[name]);

    /// <summary>The value of <paramref name="name"/>, or <paramref name="defaultValue"/> when the configuration does not set it.</summary>
    public T GetOrDefault<T>(string name, T defaultValue) => _byName.TryGetValue(name, out var value) ? Convert<T>(name, value) : defaultValue;

    public int GetInt(string name) => Get<int>(name);
    public float GetFloat(string name) => Get<float>(name);
    public double GetDouble(string name) => Get<double>(name);
    public string GetString(string name) => Get<string>(name);
    public bool GetBool(string name) => Get<bool>(name);

    /// <summary>A copy with <paramref name="name"/> set to <paramref name="value"/> (added at the end when new).</summary>
    public Configuration With(string name, object value) =>
        new(ContainsKey(name) ? _items.Select(kv => kv.Key == name ? KeyValuePair.Create(name, value) : kv) : _items.Append(KeyValuePair.Create(name, value)));

    private static T Convert<T>(string name, object value)
    {
        if (value is T typed) return typed;
        var target = typeof(T);
        try
        {
            if (target == typeof(string)) return (T)(object)Invariant(value, "G")!;
            var isInteger = target == typeof(int) || target == typeof(long) || target == typeof(short) || target == typeof(byte);
            if (isInteger && value is double or float)
            {
                var d = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (d != Math.Floor(d)) throw new InvalidCastException($"{d} is not a whole number");
            }
            return (T)System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException)
        {
            throw new InvalidCastException($"Configuration: hyperparameter '{name}' = {Invariant(value, "G")} ({value.GetType().Name}) cannot be read as {target.Name}: {e.Message}", e);
        }
    }

    private string Names() => _items.Count == 0 ? "none" : string.Join(", ", _items.Select(kv => kv.Key));

    internal static string Invariant(object value, string numberFormat) => value switch
    {
        double d => d.ToString(numberFormat, CultureInfo.InvariantCulture),
        float f => f.ToString(numberFormat, CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The value as shown in tables: numbers with 4 significant digits.</summary>
    internal static string Display(object value) => Invariant(value, "G4");

    /// <summary>name=value pairs, numbers with 4 significant digits: <c>activation=relu, lr=0.003162</c>.</summary>
    public override string ToString() => string.Join(", ", _items.Select(kv => $"{kv.Key}={Display(kv.Value)}"));

    public bool Equals(Configuration? other) => other is not null && Key == other.Key;
    public override bool Equals(object? obj) => obj is Configuration other && Equals(other);
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
}
