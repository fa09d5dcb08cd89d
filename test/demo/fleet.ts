/**
 * The demo's fleet: three Dom0s, eight DRBD-backed domUs, each replicated between its home and
 * one peer. db2 is defined but stopped, so one guarded domU shows as "not running here".
 */
export const DEMO_FLEET = `
option bandwidth=512 connect-delay=4000
host xen1 mem=65536 cpus=16 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
host xen2 mem=65536 cpus=16 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
host xen3 mem=65536 cpus=16 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes
domu web1  mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu web2  mem=2048 vcpus=2 home=xen1 peer=xen3 drbd=r2 running=xen1
domu git1  mem=4096 vcpus=4 home=xen1 peer=xen2 drbd=r3 running=xen1
domu db1   mem=8192 vcpus=4 home=xen2 peer=xen1 drbd=r4,r5 running=xen2
domu mail1 mem=2048 vcpus=2 home=xen2 peer=xen3 drbd=r6 running=xen2
domu dns1  mem=1024 vcpus=1 home=xen3 peer=xen1 drbd=r7 running=xen3
domu shop1 mem=4096 vcpus=2 home=xen3 peer=xen2 drbd=r8 running=xen3
domu db2   mem=8192 vcpus=4 home=xen3 peer=xen1 drbd=r9 running=no
`;
