using System.Globalization;
using System.Reflection;
using Nabla.NN;

namespace Nabla.Onnx.Export;

/// <summary>
/// Reads a layer's construction arguments: a public property when the layer exposes one (LeakyRelu.NegativeSlope),
/// otherwise the field the compiler keeps for a captured primary-constructor parameter.
/// NOTE: several core layers (pooling, Elu, Softplus, Softmax, Flatten...) keep their settings only as captured
/// parameters; once they expose them as properties this falls back to nothing and stays correct.
/// </summary>
internal static class LayerConfig
{
    public static T Get<T>(NN.Module layer, string parameter)
    {
        var type = layer.GetType();
        var property = type.GetProperty(char.ToUpper(parameter[0], CultureInfo.InvariantCulture) + parameter[1..], BindingFlags.Public | BindingFlags.Instance);
        if (property is not null && property.PropertyType == typeof(T)) return (T)property.GetValue(layer)!;
        var field = type.GetField($"<{parameter}>P", BindingFlags.NonPublic | BindingFlags.Instance);
        if (field is not null && field.FieldType == typeof(T)) return (T)field.GetValue(layer)!;
        throw new NotSupportedException($"Onnx.Export: cannot read the {parameter} setting of {type.Name}; this version of the layer does not expose it.");
    }
}
