namespace Nabla.Tests.Support;

/// <summary>Plain loop references for the neural-network kernels: convolution, transposed convolution, pooling, softmax.</summary>
public static class RefNN
{
    /// <summary>y[n,o,oh,ow] = b[o] + Σ x[n, grp·Cg + c, oh·s - p + i·d, ow·s - p + j·d] · w[o, c, i, j] (zero outside the image).</summary>
    public static NdArray Conv2d(NdArray x, NdArray w, NdArray? b, int stride, int pad, int dilation, int groups)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int o = w.Shape[0], cg = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3];
        int ho = (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1, wo = (wd + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
        var og = o / groups;
        var y = new double[n * o * ho * wo];
        for (var b0 = 0; b0 < n; b0++)
        for (var oc = 0; oc < o; oc++)
        for (var oh = 0; oh < ho; oh++)
        for (var ow = 0; ow < wo; ow++)
        {
            var sum = b is null ? 0.0 : b.Data[oc];
            var grp = oc / og;
            for (var ci = 0; ci < cg; ci++)
            for (var i = 0; i < kh; i++)
            for (var j = 0; j < kw; j++)
            {
                int ih = oh * stride - pad + i * dilation, iw = ow * stride - pad + j * dilation;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                sum += x.At([b0, grp * cg + ci, ih, iw]) * w.At([oc, ci, i, j]);
            }
            y[((b0 * o + oc) * ho + oh) * wo + ow] = sum;
        }
        return new NdArray(y, [n, o, ho, wo]);
    }

    /// <summary>Each input element scatters x[n,c,h,w]·W[c, o, i, j] to y[n, grp·Og + o, h·s - p + i·d, w·s - p + j·d].</summary>
    public static NdArray ConvTranspose2d(NdArray x, NdArray w, NdArray? b, int stride, int pad, int outputPad, int dilation, int groups)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int og = w.Shape[1], kh = w.Shape[2], kw = w.Shape[3], o = og * groups, cg = c / groups;
        int ho = (h - 1) * stride - 2 * pad + dilation * (kh - 1) + outputPad + 1, wo = (wd - 1) * stride - 2 * pad + dilation * (kw - 1) + outputPad + 1;
        var y = new double[n * o * ho * wo];
        for (var b0 = 0; b0 < n; b0++)
        for (var oc = 0; oc < o; oc++)
        for (var oh = 0; oh < ho; oh++)
        for (var ow = 0; ow < wo; ow++)
            y[((b0 * o + oc) * ho + oh) * wo + ow] = b is null ? 0.0 : b.Data[oc];
        for (var b0 = 0; b0 < n; b0++)
        for (var ci = 0; ci < c; ci++)
        for (var ih = 0; ih < h; ih++)
        for (var iw = 0; iw < wd; iw++)
        {
            var grp = ci / cg;
            for (var ol = 0; ol < og; ol++)
            for (var i = 0; i < kh; i++)
            for (var j = 0; j < kw; j++)
            {
                int oh = ih * stride - pad + i * dilation, ow = iw * stride - pad + j * dilation;
                if (oh < 0 || oh >= ho || ow < 0 || ow >= wo) continue;
                y[((b0 * o + grp * og + ol) * ho + oh) * wo + ow] += x.At([b0, ci, ih, iw]) * w.At([ci, ol, i, j]);
            }
        }
        return new NdArray(y, [n, o, ho, wo]);
    }

    /// <summary>Max or mean over each window; output size from PyTorch's rule (ceil mode: last window must start inside input or left padding).</summary>
    public static NdArray Pool2d(NdArray x, int k, int stride, int pad, bool ceil, bool max, bool countIncludePad = true)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], wd = x.Shape[3];
        int Out(int size)
        {
            var span = size + 2 * pad - k;
            var o = (ceil ? (int)Math.Ceiling(span / (double)stride) : span / stride) + 1;
            if (ceil && (o - 1) * stride >= size + pad) o--;
            return o;
        }
        int ho = Out(h), wo = Out(wd);
        var y = new double[n * c * ho * wo];
        for (var p = 0; p < n * c; p++)
        for (var oh = 0; oh < ho; oh++)
        for (var ow = 0; ow < wo; ow++)
        {
            double best = double.NegativeInfinity, sum = 0;
            var count = 0;
            var padded = 0;
            for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
            {
                int ih = oh * stride - pad + i, iw = ow * stride - pad + j;
                if (ih < h + pad && iw < wd + pad) padded++;
                if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                var v = x.Data[(p * h + ih) * wd + iw];
                best = Math.Max(best, v);
                sum += v;
                count++;
            }
            y[(p * ho + oh) * wo + ow] = max ? best : sum / (countIncludePad ? padded : count);
        }
        return new NdArray(y, [n, c, ho, wo]);
    }

    /// <summary>Softmax (or log-softmax) along one axis of a 2-D or 3-D array.</summary>
    public static NdArray Softmax(NdArray x, int axis, bool log)
    {
        var y = new double[x.Data.Length];
        var strides = NdArray.Strides(x.Shape);
        var size = x.Shape[axis];
        for (var flat = 0; flat < x.Data.Length; flat++)
        {
            var idx = NdArray.Unravel(flat, x.Shape);
            if (idx[axis] != 0) continue;
            var vals = Enumerable.Range(0, size).Select(k => x.Data[flat + k * strides[axis]]).ToArray();
            var m = vals.Max();
            var z = vals.Sum(v => Math.Exp(v - m));
            for (var k = 0; k < size; k++) y[flat + k * strides[axis]] = log ? vals[k] - m - Math.Log(z) : Math.Exp(vals[k] - m) / z;
        }
        return new NdArray(y, x.Shape);
    }

    /// <summary>erf by its Maclaurin series (|x| ≤ 3 converges to double precision).</summary>
    public static double Erf(double x)
    {
        double sum = 0, term = x;
        for (var n = 0; n < 200; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }
}
