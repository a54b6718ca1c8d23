using DiMml.Torch.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Modules;

/// <summary>
/// FiLM fusion for two modalities: <c>[γ, β] = Linear(f_1)</c>, logits <c>= Linear(γ ⊙ f_2 + β)</c>.
/// The first modality conditions the second, as in the reference code's default.
/// </summary>
public sealed class FilmFusion : FusionHead
{
    private readonly Linear film;
    private readonly Linear output;
    private readonly int embeddingSize;

    /// <summary>Creates the head.</summary>
    /// <param name="embeddingSize">Feature size D of both modalities.</param>
    /// <param name="classCount">Number of classes C.</param>
    public FilmFusion(int embeddingSize, int classCount) : base("film_fusion", 2, classCount)
    {
        this.embeddingSize = embeddingSize;
        film = nn.Linear(embeddingSize, 2 * embeddingSize);
        output = nn.Linear(embeddingSize, classCount);
        RegisterComponents();
    }

    internal Linear Film => film;

    internal Linear Output => output;

    internal int EmbeddingSize => embeddingSize;

    /// <inheritdoc />
    public override FusionHeadKind Kind => FusionHeadKind.Film;

    /// <inheritdoc />
    public override Tensor forward(IReadOnlyList<Tensor> features)
    {
        CheckInputCount(features);
        using var scope = NewDisposeScope();
        var parts = film.forward(features[0]).split(embeddingSize, 1);
        var modulated = ScalarMath.Add(parts[0] * features[1], parts[1]);
        return output.forward(modulated).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            film.Dispose();
            output.Dispose();
        }

        base.Dispose(disposing);
    }
}
