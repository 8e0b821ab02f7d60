"""What the hot-standby tests share (issue 18): one PostgreSQL cluster per
test class, a fresh database per test, daemons started as instances on it
(each with its own small local file), and the sessions the stand-in
accepted.

Used by test_standby.py, test_standby_outbox.py and test_sprints_standby.py
as a mixin before DaemonTestCase (or a subclass of it)."""
import copy
import os

from test_storage_pg import Cluster

LEASE_MS = 2000


class SharedDatabase:
    lease_ms = LEASE_MS

    @classmethod
    def needs_cluster(cls):
        """False skips the cluster (e.g. when the plugin under test is not built)."""
        return True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.needs_cluster():
            cls.pg = Cluster()

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "pg"):
            cls.pg.remove()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.db_name, self.url = self.pg.new_database()
        self.n_instances = 0

    def instance(self, cfg, **storage):
        """Another daemon on the shared database: cfg is copied, its storage
        set (storage adds keys such as session_save_ms); d.name is its
        HALLWAY_INSTANCE."""
        self.n_instances += 1
        cfg = copy.deepcopy(cfg)
        cfg["storage"] = dict({"path": os.path.join(self.workdir, "h%d.db" % self.n_instances),
                               "url": self.url, "lease_ms": self.lease_ms}, **storage)
        name = "inst%d" % self.n_instances
        d = self.daemon(cfg, env={"HALLWAY_INSTANCE": name})
        d.name = name
        return d

    def sessions_started(self):
        """Every IDENTIFY and RESUME the stand-in accepted, in time order."""
        state = self.st.state()
        got = [dict(i, how="identify") for i in state["identifies"] if i["result"] == "ok"]
        got += [dict(r, how="resume") for r in state["resumes"] if r.get("result") == "ok"]
        return sorted(got, key=lambda e: e["t"])
