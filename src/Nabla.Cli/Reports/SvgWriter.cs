using System.Globalization;
using System.Text;

namespace Nabla.Cli.Reports;

/// <summary>
/// Writes SVG elements as text: every attribute value and text node is escaped, every number is written with
/// the invariant culture and at most two decimals (a hundredth of a pixel is below what any screen shows).
/// </summary>
internal sealed class SvgWriter
{
    private readonly StringBuilder _text = new();

    /// <summary>Opens the root element; <paramref name="title"/> becomes its accessible name.</summary>
    public SvgWriter(int width, int height, string? title)
    {
        _text.Append(CultureInfo.InvariantCulture,
            $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n");
        if (!string.IsNullOrEmpty(title)) _text.Append("<title>").Append(Escape(title)).Append("</title>\n");
        Element("rect", ("width", "100%"), ("height", "100%"), ("fill", "white"));
    }

    /// <summary>An empty element, e.g. <c>Element("line", ("x1", 0), ...)</c>; null attribute values are left out.</summary>
    public void Element(string name, params (string Name, object? Value)[] attributes)
    {
        Start(name, attributes);
        _text.Append("/>\n");
    }

    /// <summary>An element holding text.</summary>
    public void Text(string text, params (string Name, object? Value)[] attributes)
    {
        Start("text", attributes);
        _text.Append('>').Append(Escape(text)).Append("</text>\n");
    }

    /// <summary>An element with a tooltip (a <c>&lt;title&gt;</c> child, shown on hover).</summary>
    public void Tooltip(string name, string tooltip, params (string Name, object? Value)[] attributes)
    {
        Start(name, attributes);
        _text.Append("><title>").Append(Escape(tooltip)).Append("</title></").Append(name).Append(">\n");
    }

    public void Open(string name, params (string Name, object? Value)[] attributes)
    {
        Start(name, attributes);
        _text.Append(">\n");
    }

    public void Close(string name) => _text.Append("</").Append(name).Append(">\n");

    /// <summary>Closes the root element and returns the document.</summary>
    public string Finish()
    {
        Close("svg");
        return _text.ToString();
    }

    private void Start(string name, (string Name, object? Value)[] attributes)
    {
        _text.Append('<').Append(name);
        foreach (var (key, value) in attributes)
        {
            if (value is null) continue;
            // data-* attributes carry exact values for readers; drawing coordinates need only two decimals.
            var text = value is double d && key.StartsWith("data-", StringComparison.Ordinal) ? d.ToString("R", CultureInfo.InvariantCulture) : Format(value);
            _text.Append(' ').Append(key).Append("=\"").Append(Escape(text)).Append('"');
        }
    }

    /// <summary>A number as SVG wants it: invariant, at most two decimals, no "-0".</summary>
    public static string Number(double value)
    {
        var text = Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    private static string Format(object value) => value switch
    {
        double d => Number(d),
        float f => Number(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// Escapes text for XML (and HTML) content and attribute values. Characters XML 1.0 cannot hold at all
    /// (control characters, lone surrogates) become U+FFFD, so any label yields a well-formed document.
    /// </summary>
    public static string Escape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': result.Append("&amp;"); break;
                case '<': result.Append("&lt;"); break;
                case '>': result.Append("&gt;"); break;
                case '"': result.Append("&quot;"); break;
                case '\'': result.Append("&#39;"); break;
                case '\t' or '\n' or '\r': result.Append(c); break;
                case < ' ' or '\uFFFE' or '\uFFFF': result.Append('\uFFFD'); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        result.Append(c).Append(text[++i]);
                    }
                    else result.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                    break;
            }
        }
        return result.ToString();
    }

    /// <summary>A rough width of <paramref name="text"/> at <paramref name="fontSize"/> in a sans-serif font, for layout.</summary>
    public static double TextWidth(string text, double fontSize = 12) => text.Length * fontSize * 0.6;
}
