using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Nabla.NN;

namespace Nabla.Specs;

/// <summary>
/// Builds library objects (layers, losses, transforms) from JSON objects whose fields are the C# constructor's
/// parameter names: <c>{"type": "Conv2d", "inChannels": 1, "outChannels": 8, "kernelSize": 3, "padding": "same"}</c>.
/// Every field is checked against the constructor; errors name the field's path and what it accepts.
/// </summary>
internal static class SpecBinder
{
    /// <summary>Lower-case name without separators: "batch_norm2d", "BatchNorm2d" and "batchnorm2d" all match.</summary>
    public static string Key(string name) => name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>Calls the public constructor of <paramref name="type"/> that accepts exactly the given fields (all but "type").</summary>
    public static object Construct(Type type, JsonElement spec, string path, IReadOnlySet<string>? ignore = null)
    {
        var fields = spec.ValueKind == JsonValueKind.Object
            ? spec.EnumerateObject().Where(p => p.Name != "type" && !(ignore?.Contains(p.Name) ?? false)).ToList()
            : [];
        var constructors = type.GetConstructors().Where(c => c.GetParameters().All(p => Bindable(p.ParameterType) || p.HasDefaultValue)).ToList();
        if (constructors.Count == 0) throw new SpecException(path, $"{type.Name} cannot be built from a spec.");
        SpecException? firstError = null;
        foreach (var ctor in constructors.OrderByDescending(c => c.GetParameters().Length))
        {
            var parameters = ctor.GetParameters();
            var unknown = fields.FirstOrDefault(f => !parameters.Any(p => string.Equals(p.Name, f.Name, StringComparison.OrdinalIgnoreCase)));
            if (unknown.Value.ValueKind != JsonValueKind.Undefined)
            {
                firstError ??= new SpecException($"{path}.{unknown.Name}", $"{type.Name} has no field '{unknown.Name}'; its fields are {string.Join(", ", parameters.Where(p => Bindable(p.ParameterType)).Select(p => p.Name))}.");
                continue;
            }
            var args = new object?[parameters.Length];
            for (var i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                var field = fields.FirstOrDefault(f => string.Equals(f.Name, p.Name, StringComparison.OrdinalIgnoreCase));
                if (field.Value.ValueKind == JsonValueKind.Undefined)
                {
                    if (!p.HasDefaultValue)
                    {
                        throw new SpecException($"{path}.{p.Name}", $"{type.Name} needs '{p.Name}' ({Describe(p.ParameterType)}).");
                    }
                    args[i] = p.DefaultValue is DBNull ? null : p.DefaultValue;
                    continue;
                }
                args[i] = Convert(field.Value, p.ParameterType, $"{path}.{field.Name}");
            }
            try
            {
                return ctor.Invoke(args);
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException inner)
            {
                throw new SpecException(path, inner.Message, inner);
            }
        }
        throw firstError!;
    }

    private static bool Bindable(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(int) || t == typeof(float) || t == typeof(double) || t == typeof(bool) || t == typeof(string) || t.IsEnum
            || t == typeof(int[]) || t == typeof(float[]) || t == typeof(Size2) || t == typeof(Padding2) || t == typeof(Initializer) || t == typeof(Tensor);
    }

    private static string Describe(Type t)
    {
        var inner = Nullable.GetUnderlyingType(t);
        if (inner is not null) return Describe(inner) + " or null";
        if (t == typeof(int)) return "a whole number";
        if (t == typeof(float) || t == typeof(double)) return "a number";
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(string)) return "a string";
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t).Select(n => $"\"{n}\""));
        if (t == typeof(int[])) return "an array of whole numbers";
        if (t == typeof(float[]) || t == typeof(Tensor)) return "an array of numbers";
        if (t == typeof(string[])) return "an array of strings";
        if (t == typeof(Size2)) return "a whole number or [height, width]";
        if (t == typeof(Padding2)) return "a whole number, [height, width], \"same\" or \"valid\"";
        if (t == typeof(Initializer)) return "an initialiser name (" + string.Join(", ", Initializer.All.Select(i => i.Name).Distinct()) + ") or {\"type\": name, ...}";
        return t.Name;
    }

    public static object? Convert(JsonElement value, Type type, string path)
    {
        var inner = Nullable.GetUnderlyingType(type);
        if (inner is not null) return value.ValueKind == JsonValueKind.Null ? null : Convert(value, inner, path);
        try
        {
            if (type == typeof(int) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var i)) return i;
            if (type == typeof(float) && value.ValueKind == JsonValueKind.Number) return value.GetSingle();
            if (type == typeof(double) && value.ValueKind == JsonValueKind.Number) return value.GetDouble();
            if (type == typeof(bool) && value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
            if (type == typeof(string) && value.ValueKind == JsonValueKind.String) return value.GetString();
            if (type.IsEnum && value.ValueKind == JsonValueKind.String)
            {
                var name = Enum.GetNames(type).FirstOrDefault(n => Key(n) == Key(value.GetString()!));
                if (name is not null) return Enum.Parse(type, name);
            }
            if (type == typeof(int[]) && value.ValueKind == JsonValueKind.Array) return value.EnumerateArray().Select((e, k) => (int)Convert(e, typeof(int), $"{path}[{k}]")!).ToArray();
            if (type == typeof(string[]) && value.ValueKind == JsonValueKind.Array) return value.EnumerateArray().Select((e, k) => (string)Convert(e, typeof(string), $"{path}[{k}]")!).ToArray();
            if (type == typeof(float[]) && value.ValueKind == JsonValueKind.Array) return value.EnumerateArray().Select((e, k) => (float)Convert(e, typeof(float), $"{path}[{k}]")!).ToArray();
            if (type == typeof(Tensor) && value.ValueKind == JsonValueKind.Array) return Tensor.FromArray((float[])Convert(value, typeof(float[]), path)!);
            if (type == typeof(Size2))
            {
                if (value.ValueKind == JsonValueKind.Number) return (Size2)(int)Convert(value, typeof(int), path)!;
                if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2)
                {
                    var pair = (int[])Convert(value, typeof(int[]), path)!;
                    return new Size2(pair[0], pair[1]);
                }
            }
            if (type == typeof(Padding2))
            {
                if (value.ValueKind == JsonValueKind.String && Key(value.GetString()!) == "same") return Padding2.Same;
                if (value.ValueKind == JsonValueKind.String && Key(value.GetString()!) == "valid") return Padding2.Valid;
                if (value.ValueKind is JsonValueKind.Number or JsonValueKind.Array)
                {
                    var size = (Size2)Convert(value, typeof(Size2), path)!;
                    return new Padding2(size.H, size.W);
                }
            }
            if (type == typeof(Initializer)) return ConvertInitializer(value, path);
        }
        catch (FormatException) { }
        throw new SpecException(path, $"expected {Describe(type)}; got {Show(value)}.");
    }

    private static Initializer ConvertInitializer(JsonElement value, string path)
    {
        var name = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Object when value.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String => t.GetString()!,
            _ => throw new SpecException(path, $"expected {Describe(typeof(Initializer))}; got {Show(value)}."),
        };
        var factory = typeof(Initializer).GetMembers(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m is MethodInfo or PropertyInfo && Key(m.Name) == Key(name) && m.Name != nameof(Initializer.All))
            ?? throw new SpecException(path, $"unknown initialiser '{name}'; expected one of {string.Join(", ", Initializer.All.Select(i => i.Name).Distinct())}.");
        if (factory is PropertyInfo property) return (Initializer)property.GetValue(null)!;
        var method = (MethodInfo)factory;
        var parameters = method.GetParameters();
        var args = new object?[parameters.Length];
        var given = value.ValueKind == JsonValueKind.Object ? value.EnumerateObject().Where(p => p.Name != "type").ToList() : [];
        foreach (var field in given)
        {
            if (!parameters.Any(p => string.Equals(p.Name, field.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new SpecException($"{path}.{field.Name}", $"initialiser '{name}' has no option '{field.Name}'; its options are {string.Join(", ", parameters.Select(p => p.Name))}.");
            }
        }
        for (var i = 0; i < parameters.Length; i++)
        {
            var field = given.FirstOrDefault(f => string.Equals(f.Name, parameters[i].Name, StringComparison.OrdinalIgnoreCase));
            args[i] = field.Value.ValueKind != JsonValueKind.Undefined ? Convert(field.Value, parameters[i].ParameterType, $"{path}.{field.Name}")
                : parameters[i].HasDefaultValue ? parameters[i].DefaultValue
                : throw new SpecException($"{path}.{parameters[i].Name}", $"initialiser '{name}' needs '{parameters[i].Name}'.");
        }
        return (Initializer)method.Invoke(null, args)!;
    }

    public static string Show(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length > 40 ? text[..40] + "..." : text;
    }

    public static string? String(JsonElement obj, string field, string path, bool required = false)
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new SpecException($"{path}.{field}", "required field is missing (a string).") : null;
        }
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new SpecException($"{path}.{field}", $"expected a string; got {Show(v)}.");
    }

    public static T? Value<T>(JsonElement obj, string field, string path) where T : struct
    {
        if (!obj.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return (T)Convert(v, typeof(T), $"{path}.{field}")!;
    }

    public static void CheckFields(JsonElement obj, string path, params string[] allowed)
    {
        if (obj.ValueKind != JsonValueKind.Object) throw new SpecException(path, $"expected an object; got {Show(obj)}.");
        foreach (var p in obj.EnumerateObject())
        {
            if (!allowed.Contains(p.Name)) throw new SpecException($"{path}.{p.Name}", $"unknown field; allowed: {string.Join(", ", allowed)}.");
        }
    }

    public static string Invariant(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(Invariant)),
        _ => value.GetRawText(),
    };
}
