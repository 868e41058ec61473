package lessons

// ReplicationLesson lets the external tests play lesson 11 before it is in
// the registry.
var ReplicationLesson = replicationLesson
