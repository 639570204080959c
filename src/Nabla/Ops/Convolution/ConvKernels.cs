using Nabla.Backends.Cpu;

namespace Nabla.Ops;

/// <summary>Calls into the im2col convolution kernels, which want dense arrays starting at element 0.</summary>
internal static class ConvKernels
{
    public static float[] Dense(Tensor t) =>
        t.IsContiguous && t.Offset == 0 ? t.Storage.Data : Elementwise.Contiguous(t).Storage.Data;

    /// <summary>y = conv(x, w) + b with y [N, O, Ho, Wo].</summary>
    public static Tensor Convolve(Tensor x, Tensor w, Tensor? b, Conv2dGeometry g)
    {
        var y = Tensor.Empty(Shape.Wrap([g.Batch, g.OutChannels, g.OutHeight, g.OutWidth]));
        Convolution.Forward(Dense(x), Dense(w), b is null ? null : Dense(b), y.Storage.Data, g);
        return y;
    }

    /// <summary>The adjoint of <see cref="Convolve"/> in x: col2im(Wᵀ·dy), shape [N, C, H, W].</summary>
    public static Tensor ConvolveTransposed(Tensor dy, Tensor w, Conv2dGeometry g)
    {
        var dx = Tensor.Empty(Shape.Wrap([g.Batch, g.InChannels, g.Height, g.Width]));
        Convolution.Backward([], Dense(w), Dense(dy), dx.Storage.Data, null, null, g);
        return dx;
    }

    /// <summary>The adjoint of <see cref="Convolve"/> in w: dW = dy·colsᵀ, shape [O, C/groups, kh, kw].</summary>
    public static Tensor WeightGradient(Tensor x, Tensor dy, Conv2dGeometry g)
    {
        var dw = Tensor.Empty(Shape.Wrap([g.OutChannels, g.GroupIn, g.KernelH, g.KernelW]));
        Convolution.Backward(Dense(x), [], Dense(dy), null, dw.Storage.Data, null, g);
        return dw;
    }
}
