using DiMml.Torch.Data;
using DiMml.Torch.Losses;
using DiMml.Torch.Modules;
using DiMml.Torch.Runtime;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DiMml.Torch.Training;

/// <summary>
/// Stage 1's step with each modality on its own worker: the same loss as <see cref="DiMmlLearner.DetachedStep"/>, split by
/// encoder. Modality m's part is <c>CE(h_m) + λ·CE(g on m) + μ·Σ_{s≠m} L(s→m)/(N−1)</c>; no other part depends on encoder m
/// (DUC's teachers are detached), so back-propagating each part on its own worker gives the full loss's gradients.
/// </summary>
/// <remarks>
/// The workers meet after their forward passes, because each part's DUC contrasts against the others' features, and again
/// once each has taken its detached views of them, so no worker's features are released while another still reads them. The shared head is
/// the one parameter set every part reaches: each worker back-propagates into its own detached alias of it, and the
/// gradients are summed here in modality order, which keeps runs bit-for-bit repeatable.
/// </remarks>
internal sealed class ParallelDetachedStep(MultimodalNetwork network, DiMmlOptions options, DucLoss duc, ModalityWorkers workers)
{
    /// <summary>Runs the step's forward and backward passes; the gradients are in the parameters when it returns.</summary>
    public StepResult Run(string[] names, EffectiveDimensions? dimensions, Batch batch)
    {
        var features = new Tensor[names.Length];
        var shared = options.SharedHeadWeight > 0
            ? names.Select(_ => SharedHead.AliasOf(network.SharedHead)).ToArray()
            : null;
        var parts = workers.Run(m => RunPart(m, features, shared?[m], dimensions, batch)).Select(Part.Adopt).ToArray();
        if (shared is not null)
        {
            SharedHead.AccumulateGradients(network.SharedHead, shared);
        }

        var terms = parts.Select((p, m) => (TermNames.BranchLoss(names[m]), p.Branch)).ToList();
        var logits = parts.Select((p, m) => (TermNames.BranchAccuracy(names[m]), p.BranchLogits)).ToList();
        if (shared is not null)
        {
            terms.AddRange(parts.Select((p, m) => (TermNames.Shared(names[m]), p.Shared!)));
            logits.AddRange(parts.Select((p, m) => (TermNames.Shared(names[m]), p.SharedLogits!)));
        }

        if (dimensions is not null)
        {
            terms.Add((TermNames.Duc, parts.Select(p => p.Duc!).Aggregate(ScalarMath.Add)));
        }

        return new StepResult(parts.Select(p => p.Total).Aggregate(ScalarMath.Add), terms, logits) { GradientsComputed = true };
    }

    // On worker m: its encoder's forward pass, then (once every worker has its features) its part of the loss and that part's
    // backward pass. Returns detached values that the calling thread adopts.
    private Part RunPart(int m, Tensor[] features, SharedHead? shared, EffectiveDimensions? dimensions, Batch batch)
    {
        using var scope = NewDisposeScope();
        var (labels, weights) = (batch.Labels, batch.Weights);
        var own = network.Encoders[m].forward(batch.Inputs[m]);
        features[m] = own;
        workers.Meet();

        // Every worker takes its detached views of the others' features before any goes on, so no worker's features are
        // read after it has moved past this point (and disposes them, finished or failed).
        var view = features.Select((f, s) => s == m ? f : f.detach()).ToArray();
        workers.Meet();
        var branchLogits = network.ModalityHeads[m].forward(own);
        var branch = WeightedLoss.CrossEntropy(branchLogits, labels, weights);
        var total = branch;
        Tensor? sharedLogits = null, sharedLoss = null, ducLoss = null;
        if (shared is not null)
        {
            sharedLogits = F.linear(own, shared.Weight, shared.Bias);
            sharedLoss = WeightedLoss.CrossEntropy(sharedLogits, labels, weights);
            total = ScalarMath.Add(total, ScalarMath.Multiply(sharedLoss, options.SharedHeadWeight));
        }

        if (dimensions is not null)
        {
            ducLoss = duc.ForStudent(view, dimensions, m, weights);
            total = ScalarMath.Add(total, ScalarMath.Multiply(ducLoss, options.DucWeight));
        }

        total.backward();
        var part = new Part(total.detach(), branch.detach(), branchLogits.detach(), sharedLoss?.detach(), sharedLogits?.detach(),
            ducLoss?.detach());
        scope.Detach(part.Tensors);
        return part;
    }

    /// <summary>One modality's part of a step: its loss, its terms and its logits, detached.</summary>
    private sealed record Part(Tensor Total, Tensor Branch, Tensor BranchLogits, Tensor? Shared, Tensor? SharedLogits, Tensor? Duc)
        : IDisposable
    {
        /// <summary>The part's tensors.</summary>
        public IEnumerable<Tensor> Tensors => new[] { Total, Branch, BranchLogits, Shared, SharedLogits, Duc }.OfType<Tensor>();

        /// <summary>The same part owned by the calling thread's dispose scope (a worker made it, outside any of this thread's
        /// scopes).</summary>
        public static Part Adopt(Part part) =>
            new(Own(part.Total)!, Own(part.Branch)!, Own(part.BranchLogits)!, Own(part.Shared), Own(part.SharedLogits), Own(part.Duc));

        /// <summary>Disposes the part's tensors (the parts of a step that failed on another worker).</summary>
        public void Dispose()
        {
            foreach (var tensor in Tensors)
            {
                tensor.Dispose();
            }
        }

        private static Tensor? Own(Tensor? tensor)
        {
            var own = tensor?.alias();
            tensor?.Dispose();
            return own;
        }
    }

    /// <summary>A worker's alias of the shared head's parameters: the same storage, its own gradient.</summary>
    private sealed record SharedHead(Tensor Weight, Tensor Bias)
    {
        /// <summary>Detached aliases of <paramref name="head"/>'s weight and bias that collect gradient.</summary>
        public static SharedHead AliasOf(TorchSharp.Modules.Linear head) =>
            new(head.weight!.detach().requires_grad_(true), head.bias!.detach().requires_grad_(true));

        /// <summary>Adds the aliases' gradients to <paramref name="head"/>'s, in modality order.</summary>
        public static void AccumulateGradients(TorchSharp.Modules.Linear head, IReadOnlyList<SharedHead> aliases)
        {
            Accumulate(head.weight!, aliases.Select(a => a.Weight.grad!));
            Accumulate(head.bias!, aliases.Select(a => a.Bias.grad!));
        }

        private static void Accumulate(Tensor parameter, IEnumerable<Tensor> gradients)
        {
            var sum = gradients.Aggregate(ScalarMath.Add);
            if (parameter.grad is { } existing)
            {
                ScalarMath.AddInPlace(existing, sum);
            }
            else
            {
                parameter.grad = sum;
            }
        }
    }
}
