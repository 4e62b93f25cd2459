-- One database per node: each node keeps its own Raft logs and state, as it would on its own server.
CREATE DATABASE sinkron_n1 OWNER sinkron;
CREATE DATABASE sinkron_n2 OWNER sinkron;
CREATE DATABASE sinkron_n3 OWNER sinkron;
