using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>Fusion head <c>Linear(N·D → C)</c> over <c>[f_1; …; f_N]</c>.</summary>
public sealed class ConcatFusion : FusionHead
{
    private readonly Linear output;

    /// <summary>Creates the head.</summary>
    /// <param name="modalityCount">Number of modalities N.</param>
    /// <param name="embeddingSize">Feature size D.</param>
    /// <param name="classCount">Number of classes C.</param>
    public ConcatFusion(int modalityCount, int embeddingSize, int classCount)
        : base("concat_fusion", modalityCount, classCount)
    {
        output = nn.Linear(modalityCount * embeddingSize, classCount);
        RegisterComponents();
    }

    internal Linear Output => output;

    /// <inheritdoc />
    public override FusionHeadKind Kind => FusionHeadKind.Concat;

    /// <inheritdoc />
    public override Tensor forward(IReadOnlyList<Tensor> features)
    {
        CheckInputCount(features);
        using var joined = cat(features.ToArray(), 1);
        return output.forward(joined);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            output.Dispose();
        }

        base.Dispose(disposing);
    }
}
