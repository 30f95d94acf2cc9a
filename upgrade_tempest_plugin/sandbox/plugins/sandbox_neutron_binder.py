"""ML2 mechanism driver that binds every port, for an agent-less Neutron.

Nova refuses ports whose binding failed, and every in-tree driver that
binds needs a live agent or OVN chassis.  This driver binds each port to
its network's first segment with an OVS VIF type; there is no data plane.
Runs inside the neutron venv of the sandbox only.
"""

from neutron_lib.api.definitions import portbindings
from neutron_lib.plugins.ml2 import api


class SandboxBinderDriver(api.MechanismDriver):

    def initialize(self):
        pass

    @property
    def connectivity(self):
        return portbindings.CONNECTIVITY_L2

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(
                segment[api.ID], portbindings.VIF_TYPE_OVS,
                {portbindings.CAP_PORT_FILTER: True,
                 portbindings.OVS_HYBRID_PLUG: False})
            return
