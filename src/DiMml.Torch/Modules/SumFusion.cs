using DiMml.Torch.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>Fusion head <c>Σ_m Linear_m(f_m)</c>: one linear map per modality, logits summed.</summary>
public sealed class SumFusion : FusionHead
{
    private readonly ModuleList<Linear> maps;

    /// <summary>Creates the head.</summary>
    /// <param name="modalityCount">Number of modalities N.</param>
    /// <param name="embeddingSize">Feature size D.</param>
    /// <param name="classCount">Number of classes C.</param>
    public SumFusion(int modalityCount, int embeddingSize, int classCount)
        : base("sum_fusion", modalityCount, classCount)
    {
        maps = nn.ModuleList(Enumerable.Range(0, modalityCount).Select(_ => nn.Linear(embeddingSize, classCount)).ToArray());
        RegisterComponents();
    }

    internal IEnumerable<Linear> Maps => maps;

    /// <inheritdoc />
    public override FusionHeadKind Kind => FusionHeadKind.Sum;

    /// <inheritdoc />
    public override Tensor forward(IReadOnlyList<Tensor> features)
    {
        CheckInputCount(features);
        using var scope = NewDisposeScope();
        var sum = maps[0].forward(features[0]);
        for (var m = 1; m < features.Count; m++)
        {
            sum = ScalarMath.Add(sum, maps[m].forward(features[m]));
        }

        return sum.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            maps.Dispose();
        }

        base.Dispose(disposing);
    }
}
