"""Writes hostile_os_system.pt: a TorchScript-shaped zip (the layout torch.jit.save writes) whose
data.pkl calls os.system and whose code names it. libtorch refuses it by throwing an exception that
TorchSharp does not catch, which ends the whole process (`terminate called after throwing ...
torch::jit::ErrorReport`); the tests check that only a child process ever sees it.

Standard library only: python3 make_hostile_torchscript.py (next to gated_cnn.pt)."""
import pickle
import zipfile

ARCHIVE = "hostile_os_system"
COMMAND = "touch PWNED-TORCHSCRIPT"


class SystemCall:
    """Pickles as os.system(COMMAND): the classic pickle payload."""

    def __reduce__(self):
        import os
        return (os.system, (COMMAND,))


code = f'''class HostileModule(Module):
  __parameters__ = []
  __buffers__ = []
  training : bool
  def forward(self: __torch__.HostileModule, x: Tensor) -> Tensor:
    _0 = os.system("{COMMAND}")
    return x
'''

with zipfile.ZipFile(ARCHIVE + ".pt", "w", compression=zipfile.ZIP_STORED) as archive:
    for name, content in [
        ("data.pkl", pickle.dumps(SystemCall(), protocol=2)),
        ("code/__torch__.py", code.encode()),
        ("constants.pkl", pickle.dumps((), protocol=2)),
        ("version", b"3\n"),
    ]:
        info = zipfile.ZipInfo(f"{ARCHIVE}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
        archive.writestr(info, content)
