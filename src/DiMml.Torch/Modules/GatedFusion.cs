using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// Gated fusion for two modalities: logits <c>= Linear(σ(Linear(f_1)) ⊙ Linear(f_2))</c>.
/// The first modality gates the second, as in the reference code's default.
/// </summary>
public sealed class GatedFusion : FusionHead
{
    private readonly Linear gate;
    private readonly Linear value;
    private readonly Linear output;

    /// <summary>Creates the head.</summary>
    /// <param name="embeddingSize">Feature size D of both modalities (also the gated width).</param>
    /// <param name="classCount">Number of classes C.</param>
    public GatedFusion(int embeddingSize, int classCount) : base("gated_fusion", 2, classCount)
    {
        gate = nn.Linear(embeddingSize, embeddingSize);
        value = nn.Linear(embeddingSize, embeddingSize);
        output = nn.Linear(embeddingSize, classCount);
        RegisterComponents();
    }

    internal Linear Gate => gate;

    internal Linear Value => value;

    internal Linear Output => output;

    /// <inheritdoc />
    public override FusionHeadKind Kind => FusionHeadKind.Gated;

    /// <inheritdoc />
    public override Tensor forward(IReadOnlyList<Tensor> features)
    {
        CheckInputCount(features);
        using var scope = NewDisposeScope();
        var gated = sigmoid(gate.forward(features[0])) * value.forward(features[1]);
        return output.forward(gated).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            gate.Dispose();
            value.Dispose();
            output.Dispose();
        }

        base.Dispose(disposing);
    }
}
