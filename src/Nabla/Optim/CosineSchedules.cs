namespace Nabla.Optim;

/// <summary>
/// Cosine annealing (Loshchilov and Hutter, SGDR): lr = ηmin + (base − ηmin)·(1 + cos(π·epoch / tMax)) / 2,
/// falling from base to ηmin over tMax epochs (and rising again after, as the cosine does; PyTorch's CosineAnnealingLR).
/// </summary>
public sealed class CosineAnnealingLR : LearningRateSchedule
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin = 0f) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), $"CosineAnnealingLR: tMax must be positive; got {tMax}.");
        Schedules.CheckNonNegative(etaMin, nameof(etaMin), Name);
        TMax = tMax;
        EtaMin = etaMin;
        Start();
    }

    public int TMax { get; }
    public float EtaMin { get; }

    protected internal override double ComputeLearningRate(int epoch, int group) =>
        EtaMin + (BaseLearningRates[group] - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}

/// <summary>
/// Cosine annealing with warm restarts (SGDR): the cosine of <see cref="CosineAnnealingLR"/> over a period
/// Tᵢ that starts at t0 and is multiplied by tMult after each restart; lr = ηmin + (base − ηmin)·(1 + cos(π·Tcur/Tᵢ))/2
/// where Tcur counts epochs since the last restart (PyTorch's CosineAnnealingWarmRestarts, stepped per epoch).
/// </summary>
public sealed class CosineAnnealingWarmRestarts : LearningRateSchedule
{
    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult = 1, float etaMin = 0f) : base(optimizer)
    {
        if (t0 <= 0) throw new ArgumentOutOfRangeException(nameof(t0), $"CosineAnnealingWarmRestarts: t0 must be positive; got {t0}.");
        if (tMult < 1) throw new ArgumentOutOfRangeException(nameof(tMult), $"CosineAnnealingWarmRestarts: tMult must be an integer >= 1; got {tMult}.");
        Schedules.CheckNonNegative(etaMin, nameof(etaMin), Name);
        T0 = t0;
        TMult = tMult;
        EtaMin = etaMin;
        Start();
    }

    public int T0 { get; }
    public int TMult { get; }
    public float EtaMin { get; }

    /// <summary>Epochs since the last restart and the length of the current period, at <paramref name="epoch"/>.</summary>
    public (long TCur, long TI) Position(int epoch)
    {
        if (TMult == 1) return (epoch % T0, T0);
        long tCur = epoch, tI = T0;
        while (tCur >= tI)
        {
            tCur -= tI;
            tI *= TMult;
        }
        return (tCur, tI);
    }

    protected internal override double ComputeLearningRate(int epoch, int group)
    {
        var (tCur, tI) = Position(epoch);
        return EtaMin + (BaseLearningRates[group] - EtaMin) * (1 + Math.Cos(Math.PI * tCur / tI)) / 2;
    }
}
