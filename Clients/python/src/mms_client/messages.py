"""Every message and enum of the mms.v1 API, generated from Protos/ (see Clients/python/generate).

from mms_client import messages as pb
pb.GetMigrationStatusRequest(identity="ashaw@contoso.com", state=pb.MIGRATION_STATE_FAILED)
"""

from ._proto.mms.v1.admin_pb2 import *  # noqa: F401,F403
from ._proto.mms.v1.calendar_pb2 import *  # noqa: F401,F403
from ._proto.mms.v1.common_pb2 import *  # noqa: F401,F403
from ._proto.mms.v1.directory_pb2 import *  # noqa: F401,F403
from ._proto.mms.v1.health_pb2 import *  # noqa: F401,F403
from ._proto.mms.v1.migration_pb2 import *  # noqa: F401,F403
from ._proto.mms.v1.tenant_pb2 import *  # noqa: F401,F403
