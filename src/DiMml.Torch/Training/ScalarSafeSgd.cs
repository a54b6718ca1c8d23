using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DiMml.Torch.Training;

/// <summary>
/// TorchSharp's SGD (momentum, dampening, weight decay, Nesterov, maximise: PyTorch's update rule) with a step that owns its
/// Scalars. TorchSharp 0.107's own step passes the learning rate, momentum and weight decay as implicit Scalars to in-place
/// native updates of every parameter, so a GC during a step could free one under the kernel: the wrong number, or, through
/// the freed memory, heap corruption (issue 26). Everything else is SGD's, so its state dict, checkpoints and StepLR are
/// unchanged.
/// </summary>
internal sealed class ScalarSafeSgd(IEnumerable<Parameter> parameters, double learningRate, double momentum, double weightDecay)
    : SGD(parameters, learningRate, momentum, 0.0, weightDecay)
{
    /// <inheritdoc />
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(Update, closure);

    private void Update(ParamGroup group)
    {
        var options = group.Options;
        var momentum = options.momentum ?? 0.0;
        var weightDecay = options.weight_decay ?? 0.0;
        var nesterov = options.nesterov ?? false;
        var rate = options.LearningRate ?? 0.0;
        using var decay = weightDecay.ToScalar();
        using var keep = momentum.ToScalar();
        using var blend = (1.0 - (options.dampening ?? 0.0)).ToScalar();
        using var descent = ((options.maximize ?? false) ? rate : -rate).ToScalar();
        foreach (var parameter in group.Parameters)
        {
            var gradient = parameter.grad;
            if (gradient is null)
            {
                continue;
            }

            if (weightDecay != 0)
            {
                gradient = gradient.add(parameter, decay);
            }

            if (momentum != 0)
            {
                var state = (State)_state[parameter.Handle];
                if (state.momentum_buffer is not { } buffer)
                {
                    state.momentum_buffer = gradient.clone().detach().DetachFromDisposeScope();
                    buffer = state.momentum_buffer;
                }
                else
                {
                    buffer.mul_(keep).add_(gradient, blend);
                }

                gradient = nesterov ? gradient.add(buffer, keep) : buffer;
            }

            parameter.add_(gradient, descent);
        }
    }
}
