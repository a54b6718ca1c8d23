using DiMml.Torch.Data;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>What one optimisation step computed: the loss to minimise, its named terms, and the logits of each head.</summary>
/// <param name="Total">Scalar loss that is back-propagated (unless <see cref="GradientsComputed"/>).</param>
/// <param name="Terms">Named scalar loss terms, logged per epoch.</param>
/// <param name="Logits">Named <c>[B, C]</c> logits whose training accuracy is logged.</param>
internal sealed record StepResult(
    Tensor Total,
    IReadOnlyList<(string Name, Tensor Value)> Terms,
    IReadOnlyList<(string Name, Tensor Logits)> Logits)
{
    /// <summary>Whether the step has back-propagated its loss itself (in parts, on several threads), so that the parameters'
    /// gradients are already in place and <see cref="Total"/> is only the value to report.</summary>
    public bool GradientsComputed { get; init; }
}

/// <summary>Computes one step's losses for a batch in epoch <paramref name="epoch"/>.</summary>
internal delegate StepResult TrainingStep(Batch batch, int epoch);
